import DropMateCore
import Foundation

/// JSON for the columns that hold whole values (state, orders, replies), and for caches that hold the same.
public enum JSONColumn {
    /// Configured once; encoding with a shared encoder is safe from any thread.
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()
    private static let decoder = JSONDecoder()

    public static func encode<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    public static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        try decoder.decode(type, from: Data(text.utf8))
    }
}

/// The `handled_messages.reply` column: "" for `success`, "T" + the text for a text reply, "N" + JSON for news.
/// Text replies (nearly all of them) are stored as they are, with no encoding on the hot path.
public enum ReplyColumn {
    public static func encode(_ handled: RecordedAnswer) throws -> String {
        switch handled.reply {
        case nil: ""
        case .text(let text)?: "T" + text
        case .news?: "N" + (try JSONColumn.encode(handled.reply))
        }
    }

    public static func decode(_ column: String) throws -> RecordedAnswer {
        switch column.first {
        case nil: RecordedAnswer(reply: nil)
        case "T": RecordedAnswer(reply: .text(String(column.dropFirst())))
        case "N": RecordedAnswer(reply: try JSONColumn.decode(OutgoingMessage.self, from: String(column.dropFirst())))
        default: try JSONColumn.decode(RecordedAnswer.self, from: column)
        }
    }
}
