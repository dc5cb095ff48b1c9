import Foundation

/// Streams one report section to an RFC 4180 CSV file: UTF-8 with a byte-order mark
/// (so Excel opens Chinese text correctly), CRLF line ends, fields quoted when they hold
/// a comma, a quote, CR or LF, and quotes doubled.
///
/// Cells are written as plain text: money as yuan with two decimals, date-times as local
/// `yyyy-MM-dd HH:mm:ss` in the business zone, ratios as decimals (0.9375). Text that starts
/// like a formula gets a leading `'` (see ``FormulaGuard``); numbers never do.
final class CSVWriter {
    private let sink: ByteSink
    private var clock: BusinessClock

    /// Creates the file and writes the BOM and the header row.
    init(url: URL, columns: [ReportColumn], clock: BusinessClock) throws {
        sink = try ByteSink(url: url)
        self.clock = clock
        sink.write(bytes: [0xEF, 0xBB, 0xBF])
        appendRow(columns.map { .text($0.header) })
    }

    /// Appends one record.
    func appendRow(_ cells: [ReportCell]) {
        for (index, cell) in cells.enumerated() {
            if index > 0 { sink.write(byte: UInt8(ascii: ",")) }
            switch cell {
            case .empty: break
            case .text(let text): writeField(FormulaGuard.neutralise(text))
            case .integer(let value): sink.write(String(value))
            case .yuan(let fen): sink.write(fixedPoint(fen, decimals: 2))
            case .dateTime(let date): sink.write(clock.localText(date))
            case .decimal(let value): sink.write(fixedPoint(value, decimals: 2))
            case .ratio(let value): sink.write(fixedPoint(value, decimals: 4))
            }
        }
        sink.write(bytes: [0x0D, 0x0A])
    }

    private func writeField(_ text: String) {
        guard Self.needsQuotes(text) else { return sink.write(text) }
        sink.write(byte: UInt8(ascii: "\""))
        sink.write(text.replacingOccurrences(of: "\"", with: "\"\""))
        sink.write(byte: UInt8(ascii: "\""))
    }

    /// Whether RFC 4180 requires `text` to be enclosed in quotes.
    static func needsQuotes(_ text: String) -> Bool {
        text.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
    }

    /// Flushes and closes the file.
    func finish() throws { try sink.close() }
}
