import DropMatePercentEncoding

/// WeChat's side of the webhook, for the chat client, transcript tests and the load generator:
/// signs and (in safe/compatible modes) encrypts pushes, and opens the replies.
public struct WeChatClientSigner: Sendable {
    private let token: String
    private let crypto: WeChatMessageCrypto?

    /// Configures the signer; `encodingAESKey` nil (or empty) allows only plaintext mode.
    public init(token: String, appID: String, encodingAESKey: String?) throws(WeChatCryptoError) {
        self.token = token
        if let encodingAESKey, !encodingAESKey.isEmpty {
            crypto = try WeChatMessageCrypto(encodingAESKey: encodingAESKey, appID: appID)
        } else {
            crypto = nil
        }
    }

    /// The query string and body WeChat would POST for `message`, with fresh random bytes.
    /// Safe and compatible modes need an EncodingAESKey (a programming error otherwise).
    public func request(
        for message: InboundMessage, mode: WeChatWebhook.Mode, timestamp: Int64, nonce: String
    ) -> (query: String, body: String) {
        do {
            return try request(
                for: message, mode: mode, timestamp: timestamp, nonce: nonce,
                random: WeChatMessageCrypto.randomBytes())
        } catch {
            preconditionFailure("WeChatClientSigner: \(error)")
        }
    }

    /// `request` with the caller's 16 random bytes, for deterministic tests; throws
    /// `missingEncodingAESKey` for an encrypted mode without a key.
    public func request(
        for message: InboundMessage, mode: WeChatWebhook.Mode, timestamp: Int64, nonce: String, random: [UInt8]
    ) throws(WeChatCryptoError) -> (query: String, body: String) {
        let time = String(timestamp)
        var query: [(String, String)] = [
            ("signature", WeChatSignature.sign([token, time, nonce])),
            ("timestamp", time),
            ("nonce", nonce),
            ("openid", message.fromUserName),
        ]
        let plain = message.xml()
        guard mode != .plaintext else { return (Self.encode(query), plain) }
        guard let crypto else { throw .missingEncodingAESKey }
        let encrypted = try crypto.encrypt(Array(plain.utf8), random: random)
        query.append(("encrypt_type", "aes"))
        query.append(("msg_signature", WeChatSignature.sign([token, time, nonce, encrypted])))
        let field = "<Encrypt>" + XMLWriter.cdataSection(encrypted) + "</Encrypt>\n"
        let body: String
        if mode == .compatible {
            body = String(plain.dropLast("</xml>".count)) + field + "</xml>"
        } else {
            body =
                "<xml><ToUserName>" + XMLWriter.cdataSection(message.toUserName) + "</ToUserName>\n" + field + "</xml>"
        }
        return (Self.encode(query), body)
    }

    /// Reads a webhook response: nil for `success` or an empty body; otherwise the reply, decrypted
    /// and its `MsgSignature` verified when it is an encrypted envelope.
    public func openReply(_ body: [UInt8]) throws(WeChatWebhookError) -> OutboundReply? {
        let text = String(decoding: body, as: UTF8.self).trimmingWhitespace()
        if text.isEmpty || text == "success" { return nil }
        let outer: WeChatXMLDocument
        do { outer = try WeChatXML.parseFields(body) } catch { throw .badXML(error) }
        guard let encrypted = outer["Encrypt"] else { return try Self.reply(outer) }
        guard let crypto else { throw .encryptionNotConfigured }
        let fields = FieldReader(outer.fields)
        let signature: String, timestamp: String, nonce: String
        do {
            signature = try fields.required("MsgSignature")
            timestamp = try fields.required("TimeStamp")
            nonce = try fields.required("Nonce")
        } catch { throw .badMessage(error) }
        guard
            WeChatSignature.isValid(
                msgSignature: signature, token: token, timestamp: timestamp, nonce: nonce, encrypted: encrypted
            )
        else { throw .badSignature }
        let inner: [UInt8]
        do { inner = try crypto.decrypt(encrypted) } catch { throw .decryptionFailed(error) }
        let document: WeChatXMLDocument
        do { document = try WeChatXML.parseFields(inner) } catch { throw .badXML(error) }
        return try Self.reply(document)
    }

    private static func reply(_ document: WeChatXMLDocument) throws(WeChatWebhookError) -> OutboundReply {
        do { return try OutboundReply(fields: document) } catch { throw .badMessage(error) }
    }

    /// `name=value&…` with values percent-encoded (RFC 3986 unreserved characters kept).
    static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { "\($0.0)=\(PercentEncoding.queryValue($0.1))" }.joined(separator: "&")
    }
}
