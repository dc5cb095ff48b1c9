/// Reads the few fields of S3's XML error body (`<Error><Code>…</Code><Message>…</Message><RequestId>…`).
/// The body is small and of fixed shape, so a tag scan suffices; it is capped before it gets here.
enum S3ErrorBody {
    static func parse(_ body: [UInt8], status: Int) -> S3ServiceError {
        let text = String(decoding: body, as: UTF8.self)
        return S3ServiceError(
            status: status,
            code: element("Code", in: text),
            message: element("Message", in: text),
            requestID: element("RequestId", in: text)
        )
    }

    /// The unescaped text of the first `<name>…</name>` in `text`, if any.
    static func element(_ name: String, in text: String) -> String? {
        guard let open = text.range(of: "<\(name)>"),
              let close = text.range(of: "</\(name)>", range: open.upperBound..<text.endIndex)
        else { return nil }
        let raw = String(text[open.upperBound..<close.lowerBound])
        return raw.isEmpty ? nil : unescape(raw)
    }

    private static func unescape(_ text: String) -> String {
        guard text.contains("&") else { return text }
        return text
            .replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
