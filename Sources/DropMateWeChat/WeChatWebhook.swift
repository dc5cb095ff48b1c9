/// Verifies and opens WeChat's webhook requests and seals replies: the piece the HTTP route calls.
public struct WeChatWebhook: Sendable {
    /// How a message arrived, and so how its reply must be sealed.
    public enum Mode: String, Sendable, Equatable, CaseIterable {
        /// Plaintext mode: body and reply are bare XML.
        case plaintext
        /// Compatible mode: the body has both plaintext fields and `Encrypt`; replies are encrypted.
        case compatible
        /// Safe mode: the body carries only `Encrypt`; replies are encrypted.
        case safe
    }

    /// A verified, decoded push.
    public struct OpenedMessage: Sendable, Equatable {
        /// The message.
        public var message: InboundMessage
        /// The mode it arrived in; pass it back to `seal`.
        public var mode: Mode

        /// Builds an opened message.
        public init(message: InboundMessage, mode: Mode) {
            self.message = message
            self.mode = mode
        }
    }

    /// The 消息加解密方式 the Official Account is set to (`WECHAT_MESSAGE_MODE`): which requests are accepted.
    public enum MessageMode: String, Sendable, Equatable, CaseIterable {
        /// 明文模式: plaintext requests. Encrypted ones are accepted too when a key is configured (their
        /// `msg_signature` covers the body, so they prove more than a plaintext request does), else refused (400).
        case plaintext
        /// 兼容模式: plaintext and encrypted requests alike (the default when an EncodingAESKey is set).
        case compatible
        /// 安全模式: only encrypted requests; one without `encrypt_type=aes` is refused (403), since a plaintext
        /// request's signature does not cover its body.
        case safe
    }

    private let token: String
    private let crypto: WeChatMessageCrypto?
    private let timestampWindow: Int64
    /// Which requests are accepted.
    public let messageMode: MessageMode

    /// Configures the verifier; `encodingAESKey` nil (or empty) means only plaintext mode is accepted.
    /// `messageMode` nil: compatible with a key, else plaintext.
    /// Throws `WeChatCryptoError.invalidEncodingAESKey` for a malformed key, and `.missingEncodingAESKey` for
    /// safe or compatible mode without one.
    public init(
        token: String, appID: String, encodingAESKey: String?, timestampWindow: Int64 = 300,
        messageMode: MessageMode? = nil
    ) throws(WeChatCryptoError) {
        self.token = token
        self.timestampWindow = timestampWindow
        if let encodingAESKey, !encodingAESKey.isEmpty {
            crypto = try WeChatMessageCrypto(encodingAESKey: encodingAESKey, appID: appID)
        } else {
            crypto = nil
        }
        let mode = messageMode ?? (crypto == nil ? .plaintext : .compatible)
        if mode != .plaintext, crypto == nil { throw .missingEncodingAESKey }
        self.messageMode = mode
    }

    /// URL verification (GET): the `echostr` to answer when the signature is valid and the timestamp
    /// is within the window, else nil.
    public func verifyURL(query: [String: String], now: Int64) -> String? {
        guard let echo = query["echostr"], (try? checkSignature(query, now: now)) != nil else { return nil }
        return echo
    }

    /// The steps of opening a push, as `open(query:body:now:observe:)` reports them.
    public enum Stage: String, Sendable {
        /// The signature and timestamp (and, when encrypted, the envelope and its `msg_signature`).
        case verify
        /// AES decryption (safe and compatible modes only).
        case decrypt
        /// Reading the message's XML.
        case parse
    }

    /// Verifies a push (POST), decrypting it in safe and compatible modes, and decodes the message.
    public func open(query: [String: String], body: [UInt8], now: Int64) throws(WeChatWebhookError) -> OpenedMessage {
        try open(query: query, body: body, now: now, observe: nil)
    }

    /// `open`, telling `observe` when each stage begins (`true`) and ends (`false`); a stage that throws has no end.
    public func open(
        query: [String: String], body: [UInt8], now: Int64, observe: ((Stage, _ began: Bool) -> Void)?
    ) throws(WeChatWebhookError) -> OpenedMessage {
        observe?(.verify, true)
        let (timestamp, nonce) = try checkSignature(query, now: now)
        let isEncrypted = query["encrypt_type"]?.lowercased() == "aes"
        if !isEncrypted, messageMode == .safe { throw .plaintextRefused }
        if !isEncrypted {
            observe?(.verify, false)
            observe?(.parse, true)
        }
        let outer: WeChatXMLDocument
        do { outer = try WeChatXML.parseFields(body) } catch { throw .badXML(error) }
        guard isEncrypted else {
            let message = try Self.message(outer)
            observe?(.parse, false)
            return OpenedMessage(message: message, mode: .plaintext)
        }
        guard let crypto else { throw .encryptionNotConfigured }
        guard let msgSignature = query["msg_signature"] else { throw .missingQuery("msg_signature") }
        guard let encrypted = outer["Encrypt"] else { throw .badMessage(.missingField("Encrypt")) }
        guard
            WeChatSignature.isValid(
                msgSignature: msgSignature, token: token, timestamp: timestamp, nonce: nonce, encrypted: encrypted
            )
        else { throw .badSignature }
        observe?(.verify, false)
        observe?(.decrypt, true)
        let inner: [UInt8]
        do { inner = try crypto.decrypt(encrypted) } catch { throw .decryptionFailed(error) }
        observe?(.decrypt, false)
        observe?(.parse, true)
        let document: WeChatXMLDocument
        do { document = try WeChatXML.parseFields(inner) } catch { throw .badXML(error) }
        let mode: Mode = outer["MsgType"] == nil ? .safe : .compatible
        let message = try Self.message(document)
        observe?(.parse, false)
        return OpenedMessage(message: message, mode: mode)
    }

    /// The response body for `reply` in `mode`: plaintext as is; in safe and compatible modes the
    /// encrypted envelope. `success` and the empty body are always sent bare, as WeChat accepts.
    /// Without a configured key (which `open` never lets reach here) the reply is returned as is.
    public func seal(reply: String, mode: Mode, timestamp: String, nonce: String) -> String {
        guard mode != .plaintext, let crypto, !Self.isAcknowledgement(reply) else { return reply }
        return Self.envelope(encrypted: crypto.encrypt(reply), token: token, timestamp: timestamp, nonce: nonce)
    }

    /// `seal` with the caller's 16 random bytes, for deterministic tests.
    public func seal(
        reply: String, mode: Mode, timestamp: String, nonce: String, random: [UInt8]
    ) throws(WeChatCryptoError) -> String {
        guard mode != .plaintext, let crypto, !Self.isAcknowledgement(reply) else { return reply }
        let encrypted = try crypto.encrypt(Array(reply.utf8), random: random)
        return Self.envelope(encrypted: encrypted, token: token, timestamp: timestamp, nonce: nonce)
    }

    /// Checks `signature` and the timestamp window; returns the timestamp and nonce strings.
    private func checkSignature(_ query: [String: String], now: Int64) throws(WeChatWebhookError) -> (String, String) {
        guard let signature = query["signature"] else { throw .missingQuery("signature") }
        guard let timestamp = query["timestamp"] else { throw .missingQuery("timestamp") }
        guard let nonce = query["nonce"] else { throw .missingQuery("nonce") }
        guard WeChatSignature.isValid(signature: signature, token: token, timestamp: timestamp, nonce: nonce)
        else { throw .badSignature }
        guard let seconds = Int64(timestamp) else { throw .staleTimestamp }
        let (age, overflow) = now.subtractingReportingOverflow(seconds)
        guard !overflow, age.magnitude <= timestampWindow.magnitude else { throw .staleTimestamp }
        return (timestamp, nonce)
    }

    private static func message(_ document: WeChatXMLDocument) throws(WeChatWebhookError) -> InboundMessage {
        do { return try InboundMessage(fields: document) } catch { throw .badMessage(error) }
    }

    static func isAcknowledgement(_ reply: String) -> Bool {
        reply.isEmpty || reply == "success"
    }

    /// `<xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>` as WeChat expects it.
    static func envelope(encrypted: String, token: String, timestamp: String, nonce: String) -> String {
        var xml = XMLWriter(capacity: encrypted.utf8.count + 200)
        xml.cdata("Encrypt", encrypted)
        xml.cdata("MsgSignature", WeChatSignature.sign([token, timestamp, nonce, encrypted]))
        xml.plain("TimeStamp", timestamp)
        xml.cdata("Nonce", nonce)
        return xml.finish()
    }
}
