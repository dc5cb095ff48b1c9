import Foundation

/// Streams one worksheet's XML to a file: header row first, then each row as it arrives.
///
/// Cells are typed (numbers, money, date-times, ratios) with the styles of ``XLSXStyles``.
/// Text in columns marked ``ReportColumn/repeats`` goes through the bounded shared-string table;
/// all other text (notes, items: mostly unique) is written inline, so nothing grows with the day.
final class XLSXSheetWriter {
    private let sink: ByteSink
    private var clock: BusinessClock
    private let columnLetters: [[UInt8]]
    private let sharedColumns: [Bool]
    private let sharedStrings: XLSXSharedStrings?
    private var rowNumber = 0
    /// Whether the sheet carries a drawing (the By hour chart); it must be referenced at the end.
    private let drawingRelationshipID: String?
    /// Whether printing scales the sheet to one page (small aggregate sheets, so the chart prints whole).
    private let fitsOnOnePage: Bool

    init(
        url: URL, columns: [ReportColumn], clock: BusinessClock, sharedStrings: XLSXSharedStrings? = nil,
        drawingRelationshipID: String? = nil, fitsOnOnePage: Bool = false
    ) throws {
        sink = try ByteSink(url: url)
        self.sharedStrings = sharedStrings
        sharedColumns = columns.map(\.repeats)
        self.clock = clock
        self.drawingRelationshipID = drawingRelationshipID
        self.fitsOnOnePage = fitsOnOnePage
        columnLetters = (0..<max(columns.count, 1)).map { Array(XLSXSheetWriter.columnName($0).utf8) }
        writeStart(columns: columns)
        appendRow(columns.map { .text($0.header) }, style: XLSXStyles.header)
    }

    /// Whether `text` needs `xml:space="preserve"`: it starts or ends with whitespace, or holds a tab or line break.
    static func needsPreservedSpace(_ text: String) -> Bool {
        let utf8 = text.utf8
        if let first = utf8.first, first == 0x20 || first == 0x0A { return true }
        if let last = utf8.last, last == 0x20 || last == 0x0A { return true }
        return utf8.contains { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
    }

    /// `A`, `B`, … `Z`, `AA`, … for a zero-based column index.
    static func columnName(_ index: Int) -> String {
        var name = ""
        var rest = index + 1
        while rest > 0 {
            let letter = (rest - 1) % 26
            name = String(UnicodeScalar(UInt8(65 + letter))) + name
            rest = (rest - 1) / 26
        }
        return name
    }

    private func writeStart(columns: [ReportColumn]) {
        sink.write(#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n")
        sink.write(
            #"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" "#
                + #"xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#)
        if fitsOnOnePage { sink.write(#"<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>"#) }
        // The header row stays in view while scrolling: a frozen pane below row 1.
        sink.write(
            #"<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#
                + #"<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>"#)
        sink.write(#"<sheetFormatPr defaultRowHeight="15"/><cols>"#)
        for (index, column) in columns.enumerated() {
            sink.write(#"<col min="\#(index + 1)" max="\#(index + 1)" width="\#(column.width)" customWidth="1"/>"#)
        }
        sink.write("</cols><sheetData>")
    }

    /// Appends one row; `.empty` cells are left out of the XML.
    func appendRow(_ cells: [ReportCell], style overrideStyle: Int? = nil) {
        rowNumber += 1
        let row = String(rowNumber)
        sink.write("<row r=\"\(row)\">")
        for (index, cell) in cells.enumerated() where cell != .empty {
            sink.write(#"<c r=""#)
            sink.write(bytes: columnLetters[min(index, columnLetters.count - 1)])
            sink.write(row)
            writeValue(cell, style: overrideStyle, shared: index < sharedColumns.count && sharedColumns[index])
        }
        sink.write("</row>")
    }

    private func writeValue(_ cell: ReportCell, style overrideStyle: Int?, shared: Bool) {
        func number(_ text: String, style: Int) {
            sink.write("\" s=\"\(overrideStyle ?? style)\"><v>")
            sink.write(text)
            sink.write("</v></c>")
        }
        switch cell {
        case .empty:
            return
        case .text(let text):
            let dangerous = FormulaGuard.isDangerous(text)
            if shared, !dangerous, overrideStyle == nil, let index = sharedStrings?.index(of: text) {
                sink.write("\" t=\"s\"><v>\(index)</v></c>")
                return
            }
            let style = overrideStyle ?? (dangerous ? XLSXStyles.quotePrefixedText : nil)
            sink.write(style.map { "\" s=\"\($0)\" t=\"inlineStr\"><is>" } ?? "\" t=\"inlineStr\"><is>")
            let value = dangerous ? FormulaGuard.neutralise(text) : text
            sink.write(Self.needsPreservedSpace(value) ? "<t xml:space=\"preserve\">" : "<t>")
            sink.writeXMLEscaped(value)
            sink.write("</t></is></c>")
        case .integer(let value):
            number(String(value), style: XLSXStyles.integer)
        case .yuan(let fen):
            number(fixedPoint(fen, decimals: 2), style: XLSXStyles.yuan)
        case .dateTime(let date):
            number(String(clock.excelSerial(date)), style: XLSXStyles.dateTime)
        case .decimal(let value):
            number(fixedPoint(value, decimals: 2), style: XLSXStyles.decimal)
        case .ratio(let value):
            number(fixedPoint(value, decimals: 4), style: XLSXStyles.percent)
        }
    }

    /// Closes the sheet data, references the drawing if any, and closes the file.
    func finish() throws {
        sink.write("</sheetData>")
        sink.write(#"<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>"#)
        if fitsOnOnePage {
            sink.write(#"<pageSetup paperSize="9" orientation="portrait" fitToWidth="1" fitToHeight="1"/>"#)
        }
        if let drawingRelationshipID { sink.write(#"<drawing r:id="\#(drawingRelationshipID)"/>"#) }
        sink.write("</worksheet>")
        try sink.close()
    }
}
