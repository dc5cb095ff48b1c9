import Foundation
import Testing
import ZIPFoundation

@testable import DropMateReports

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Reads a workbook's parts back out of the zip.
struct Workbook {
    let archive: Archive

    init(_ url: URL) throws {
        archive = try Archive(url: url, accessMode: .read)
    }

    var partNames: Set<String> { Set(archive.map(\.path)) }

    func part(_ path: String) throws -> String {
        let entry = try #require(archive[path], "missing part \(path)")
        var data = Data()
        _ = try archive.extract(entry) { data.append($0) }
        return String(decoding: data, as: UTF8.self)
    }

    func isWellFormed(_ path: String) throws -> Bool {
        XMLParser(data: Data(try part(path).utf8)).parse()
    }
}

@Suite struct XLSXTests {
    @Test func theWorkbookHasEveryPartAndEachIsWellFormedXML() throws {
        try withReport([order()]) { files in
            let book = try Workbook(files.xlsx)
            let fixedParts: Set<String> = [
                "[Content_Types].xml", "_rels/.rels", "docProps/app.xml", "docProps/core.xml", "xl/workbook.xml",
                "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/sharedStrings.xml",
                "xl/worksheets/_rels/sheet6.xml.rels",
                "xl/drawings/drawing1.xml", "xl/drawings/_rels/drawing1.xml.rels", "xl/charts/chart1.xml",
            ]
            let expected = fixedParts.union((1...7).map { "xl/worksheets/sheet\($0).xml" })
            #expect(book.partNames == expected)
            for part in expected { #expect(try book.isWellFormed(part), "\(part)") }
        }
    }

    @Test func sheetsAreNamedInOrderAndEachFreezesItsHeaderRow() throws {
        try withReport([order()]) { files in
            let book = try Workbook(files.xlsx)
            let workbook = try book.part("xl/workbook.xml")
            let names = ["Summary", "Orders", "Couriers", "Merchants", "Items", "By hour", "Payments"]
            #expect(
                names.map { workbook.range(of: "name=\"\($0)\"")!.lowerBound }
                    == names.map { workbook.range(of: "name=\"\($0)\"")!.lowerBound }.sorted())
            for index in 1...7 {
                let sheet = try book.part("xl/worksheets/sheet\(index).xml")
                #expect(sheet.contains(#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#))
                #expect(sheet.contains(#"customWidth="1""#))
            }
        }
    }

    @Test func theByHourSheetCarriesANativeBarChartOfItsData() throws {
        try withReport([order()]) { files in
            let book = try Workbook(files.xlsx)
            #expect(try book.part("xl/worksheets/sheet6.xml").contains(#"<drawing r:id="rId1"/>"#))
            let chart = try book.part("xl/charts/chart1.xml")
            #expect(chart.contains("<c:barChart>"))
            #expect(chart.contains("<c:f>'By hour'!$B$2:$B$25</c:f>"))
            #expect(chart.contains("<c:f>'By hour'!$C$2:$C$25</c:f>"))
            #expect(chart.contains("<c:f>'By hour'!$A$2:$A$25</c:f>"))
        }
    }

    @Test func cellsAreTypedNumbersMoneyAndLocalDateTimes() throws {
        try withReport([order(placed: local(18), totalFen: 12_345)]) { files in
            let orders = try Workbook(files.xlsx).part("xl/worksheets/sheet2.xml")
            #expect(orders.contains(#"<c r="C2" s="\#(XLSXStyles.dateTime)"><v>46350.75</v></c>"#))
            #expect(orders.contains(#"<c r="N2" s="\#(XLSXStyles.yuan)"><v>0.00</v></c>"#), "the delivery fee")
            #expect(orders.contains(#"<c r="O2" s="\#(XLSXStyles.yuan)"><v>123.45</v></c>"#))
            #expect(orders.contains(#"<c r="M2" s="\#(XLSXStyles.integer)"><v>1</v></c>"#))
            let styles = try Workbook(files.xlsx).part("xl/styles.xml")
            #expect(styles.contains(#"formatCode="yyyy-mm-dd hh:mm:ss""#))
        }
    }

    @Test func formulaLikeTextIsAQuotePrefixedStringNeverAFormula() throws {
        try withReport([order(note: "=cmd|' /C calc'!A0")]) { files in
            let orders = try Workbook(files.xlsx).part("xl/worksheets/sheet2.xml")
            #expect(!orders.contains("<f>"))
            #expect(
                orders.contains(#"s="\#(XLSXStyles.quotePrefixedText)" t="inlineStr"><is><t>'=cmd|' /C calc'!A0</t>"#))
        }
    }

    @Test func chineseEmojiAndMarkupCharactersAreKeptIntactAndEscaped() throws {
        try withReport([order(merchant: "老王 <麻辣烫> & 🍜", note: "bad\u{0001}control <ok> ")]) { files in
            let book = try Workbook(files.xlsx)
            #expect(try book.part("xl/sharedStrings.xml").contains("<si><t>老王 &lt;麻辣烫&gt; &amp; 🍜</t></si>"))
            #expect(
                try book.part("xl/worksheets/sheet2.xml").contains(
                    #"<t xml:space="preserve">badcontrol &lt;ok&gt; </t>"#))
        }
    }

    @Test func repeatedTextIsStoredOnceAndMostlyUniqueTextInline() throws {
        let orders = (1...3).map { order("o\($0)", merchant: "沙县小吃", note: "note \($0)") }
        try withReport(orders) { files in
            let book = try Workbook(files.xlsx)
            let shared = try book.part("xl/sharedStrings.xml")
            #expect(shared.components(separatedBy: "<t>沙县小吃</t>").count == 2)
            #expect(!shared.contains("note 1"))
            let sheet = try book.part("xl/worksheets/sheet2.xml")
            #expect(!sheet.contains("沙县小吃"))
            #expect(sheet.contains(#"<c r="J2" t="s"><v>"#))
            #expect(sheet.contains("<t>note 3</t>"))
        }
    }

    @Test func anEmptyDayStillMakesAValidWorkbookWithZeros() throws {
        try withReport([]) { files in
            #expect(files.summary.placed == 0)
            let book = try Workbook(files.xlsx)
            for index in 1...7 { #expect(try book.isWellFormed("xl/worksheets/sheet\(index).xml")) }
            let summary = try book.part("xl/worksheets/sheet1.xml")
            #expect(summary.contains("Orders placed"))
            let hours = try csvText(try #require(files.csvFiles["By hour"])).components(separatedBy: "\r\n")
            #expect(hours.count == 26)  // header, 24 hours, trailing empty
            #expect(hours[1] == "00:00,0,0")
            #expect(FileManager.default.fileExists(atPath: files.chartSVG.path))
        }
    }

    @Test func oneOrderMakesOneOrdersRowAndMatchingTotals() throws {
        try withReport([order(confirmed: local(12), delivered: local(12, 30), courier: "张伟", totalFen: 2_000)]) {
            files in
            #expect(files.summary.placed == 1)
            #expect(files.summary.delivered == 1)
            #expect(files.summary.revenueFen == 2_000)
            let orders = try csvText(try #require(files.csvFiles["Orders"])).components(separatedBy: "\r\n")
            #expect(orders.count == 3)
            #expect(orders[1].hasPrefix("DM-1,delivered,2026-11-24 12:00:00,2026-11-24 12:00:00,"))
        }
    }

    @Test func nothingIsLeftBehindButTheFinishedFiles() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let builder = try DailyReportBuilder(date: "2026-11-24", directory: folder)
        try builder.add(order())
        _ = try builder.finish()
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(names == ["chart.svg", "csv", "report.xlsx"])
        #expect(throws: ReportError.self) { try builder.add(order()) }
    }

    @Test func bundledCSVsComeAsOneZipOfEverySection() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let builder = try DailyReportBuilder(day: shanghaiDay, directory: folder, bundlesCSVs: true)
        try builder.add(order())
        let files = try builder.finish()
        let archive = try Archive(url: try #require(files.csvZip), accessMode: .read)
        #expect(
            Set(archive.map(\.path)) == [
                "summary.csv", "orders.csv", "couriers.csv", "merchants.csv", "items.csv", "by_hour.csv",
                "payments.csv",
            ])
    }

    @Test func aBuilderDroppedBeforeFinishingLeavesNothingBehind() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            let builder = try DailyReportBuilder(day: shanghaiDay, directory: folder)
            try builder.add(order())
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }
}
