/// Neutralises customer-written text that a spreadsheet could read as a formula.
///
/// Text starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`.
/// The same rule applies to both formats so the CSV and the XLSX show the same text:
/// - CSV: the apostrophe keeps Excel and LibreOffice from evaluating the cell.
/// - XLSX: the cell is already a string cell (never a formula); it also carries the
///   apostrophe and Excel's `quotePrefix` style, so editing it in Excel keeps it text.
/// Numbers are never neutralised: they are written as numbers, so `-3.5` minutes late stays a number.
public enum FormulaGuard {
    /// Whether `text` starts with a character a spreadsheet would treat as a formula.
    public static func isDangerous(_ text: String) -> Bool {
        guard let first = text.utf8.first else { return false }
        switch first {
        case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D: return true
        default: return false
        }
    }

    /// `text` with a leading `'` when it is dangerous, unchanged otherwise.
    public static func neutralise(_ text: String) -> String {
        isDangerous(text) ? "'" + text : text
    }
}
