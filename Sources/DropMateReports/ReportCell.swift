import Foundation

/// One typed cell of a report table. Both writers render the same cells, so the XLSX
/// and the CSV always agree: the XLSX keeps the type, the CSV writes plain text.
enum ReportCell: Sendable, Hashable {
    /// No value (an order not yet delivered has no delivery time).
    case empty
    /// Text; neutralised against formula injection when written.
    case text(String)
    /// A whole number.
    case integer(Int)
    /// Money in fen, shown as yuan with two decimals.
    case yuan(fen: Int)
    /// An instant, shown as a local date-time in the report's business zone.
    case dateTime(Date)
    /// A decimal such as minutes: stored rounded to two decimals in both formats, shown with one in the XLSX.
    case decimal(Double)
    /// A ratio in 0…1, rounded to four decimals: a percentage format in the XLSX, the plain ratio in the CSV.
    case ratio(Double)
}

extension ReportCell {
    /// The most UTF-16 units an Excel cell holds; longer text makes Excel refuse the workbook.
    static let maximumTextLength = 32_767

    /// `.text`, or `.empty` for blank text. Text is cut to what a spreadsheet cell can hold
    /// (with room for the apostrophe of ``FormulaGuard``), the same in both formats.
    static func textOrEmpty(_ text: String?) -> ReportCell {
        guard let text, !text.isEmpty else { return .empty }
        guard text.utf16.count >= maximumTextLength else { return .text(text) }
        var clipped = ""
        var length = 0
        for character in text {
            length += character.utf16.count
            if length >= maximumTextLength - 1 { break }
            clipped.append(character)
        }
        return .text(clipped + "…")
    }

    /// `.dateTime`, or `.empty` for `nil`.
    static func dateOrEmpty(_ date: Date?) -> ReportCell { date.map(ReportCell.dateTime) ?? .empty }

    /// `.decimal`, or `.empty` for `nil`.
    static func decimalOrEmpty(_ value: Double?) -> ReportCell { value.map(ReportCell.decimal) ?? .empty }

    /// `.ratio`, or `.empty` for `nil`.
    static func ratioOrEmpty(_ value: Double?) -> ReportCell { value.map(ReportCell.ratio) ?? .empty }

    /// `.integer`, or `.empty` for `nil`.
    static func integerOrEmpty(_ value: Int?) -> ReportCell { value.map(ReportCell.integer) ?? .empty }
}

/// A column of a report table: its header, its width in the XLSX (in characters), and whether
/// its text repeats from row to row (then the XLSX stores each distinct value once).
struct ReportColumn: Sendable, Hashable {
    var header: String
    var width: Double
    var repeats: Bool

    init(_ header: String, width: Double = 12, repeats: Bool = false) {
        self.header = header
        self.width = width
        self.repeats = repeats
    }
}
