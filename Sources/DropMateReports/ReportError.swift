/// What can go wrong building a report.
public enum ReportError: Error, CustomStringConvertible, Sendable {
    /// A file could not be created or written.
    case cannotWrite(String)
    /// `add` or `finish` was called after the report was finished.
    case alreadyFinished
    /// A report date that is not `YYYY-MM-DD` or not a real date.
    case invalidDate(String)

    public var description: String {
        switch self {
        case .cannotWrite(let path): "cannot write report file \(path)"
        case .alreadyFinished: "the report was already finished"
        case .invalidDate(let text): "not a report date (YYYY-MM-DD): \(text)"
        }
    }
}
