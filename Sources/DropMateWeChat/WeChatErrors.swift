/// Why a body could not be read as a WeChat XML document.
public enum WeChatXMLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The body was empty.
    case empty
    /// The body exceeded `WeChatXML.maxBodyBytes`.
    case tooLarge(bytes: Int)
    /// The body contained a DOCTYPE, ENTITY or other markup declaration.
    case forbiddenDeclaration
    /// Elements were nested deeper than `WeChatXML.maxDepth`.
    case tooDeep
    /// The body was not well-formed UTF-8 XML (including truncated bodies).
    case malformed
    /// The root element was not `<xml>`.
    case wrongRoot

    /// A human-readable reason, safe to log: it never contains secrets.
    public var description: String {
        switch self {
        case .empty: "XML body is empty"
        case .tooLarge(let bytes): "XML body is too large (\(bytes) bytes, limit \(WeChatXML.maxBodyBytes))"
        case .forbiddenDeclaration: "XML body contains a DOCTYPE or entity declaration, which is refused"
        case .tooDeep: "XML body is nested deeper than \(WeChatXML.maxDepth) levels"
        case .malformed: "XML body is malformed, truncated or not UTF-8"
        case .wrongRoot: "XML root element is not <xml>"
        }
    }
}

/// Why a parsed document is not a valid WeChat message or reply.
public enum WeChatMessageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A required element is absent.
    case missingField(String)
    /// An element is present but its value cannot be read (e.g. a non-numeric `CreateTime`).
    case invalidField(String)
    /// A reply's `MsgType` is not one this package reads (`text`, `news`).
    case unsupportedReplyType(String)

    /// A human-readable reason, safe to log: it never contains secrets.
    public var description: String {
        switch self {
        case .missingField(let name): "WeChat message lacks the <\(name)> element"
        case .invalidField(let name): "WeChat message has an invalid <\(name)> value"
        case .unsupportedReplyType(let type): "WeChat reply type '\(type.prefix(32))' is not supported"
        }
    }
}

/// Why an AES message (safe/compatible mode) could not be set up, encrypted or decrypted.
public enum WeChatCryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The EncodingAESKey is not 43 base64 characters decoding to 32 bytes.
    case invalidEncodingAESKey
    /// An encrypted mode was requested but no EncodingAESKey is configured.
    case missingEncodingAESKey
    /// The caller supplied random bytes of the wrong length (16 are needed).
    case invalidRandomLength(Int)
    /// The `Encrypt` value is not base64 or not a whole number of AES blocks.
    case invalidCiphertext
    /// The decrypted PKCS#7 padding (32-byte blocks, pad 1…32) is invalid.
    case invalidPadding
    /// The embedded message length runs past the decrypted buffer.
    case invalidLength
    /// The trailing AppID is not ours.
    case appIDMismatch
    /// The AES primitive itself failed.
    case cipherFailure

    /// A human-readable reason, safe to log: it never contains secrets.
    public var description: String {
        switch self {
        case .invalidEncodingAESKey: "EncodingAESKey must be 43 base64 characters decoding to 32 bytes"
        case .missingEncodingAESKey: "an encrypted mode needs an EncodingAESKey, and none is configured"
        case .invalidRandomLength(let count): "AES message needs 16 random bytes, got \(count)"
        case .invalidCiphertext: "encrypted message is not base64 or not a whole number of AES blocks"
        case .invalidPadding: "decrypted message has invalid PKCS#7 padding"
        case .invalidLength: "decrypted message length runs past the buffer"
        case .appIDMismatch: "decrypted message was encrypted for a different AppID"
        case .cipherFailure: "AES-CBC operation failed"
        }
    }
}

/// Why a webhook request (or, on the client side, a reply) was refused; the route maps these to 4xx.
public enum WeChatWebhookError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `signature` or `msg_signature` does not match.
    case badSignature
    /// `timestamp` is outside the accepted window (or not a number).
    case staleTimestamp
    /// The body (or the decrypted inner message) is not acceptable XML.
    case badXML(WeChatXMLError)
    /// The XML is fine but not a valid WeChat message.
    case badMessage(WeChatMessageError)
    /// The `Encrypt` payload could not be decrypted.
    case decryptionFailed(WeChatCryptoError)
    /// A required query parameter is absent.
    case missingQuery(String)
    /// The request is encrypted (`encrypt_type=aes`) but no EncodingAESKey is configured.
    case encryptionNotConfigured
    /// A plaintext request reached an account in safe mode (`WECHAT_MESSAGE_MODE=safe`).
    case plaintextRefused

    /// A human-readable reason, safe to log: it never contains secrets.
    public var description: String {
        switch self {
        case .badSignature: "WeChat signature does not match"
        case .staleTimestamp: "WeChat timestamp is missing, invalid or outside the accepted window"
        case .badXML(let error): "WeChat body refused: \(error)"
        case .badMessage(let error): "WeChat message refused: \(error)"
        case .decryptionFailed(let error): "WeChat message could not be decrypted: \(error)"
        case .missingQuery(let name): "WeChat request lacks the '\(name)' query parameter"
        case .encryptionNotConfigured: "WeChat request is encrypted but no EncodingAESKey is configured"
        case .plaintextRefused: "WeChat request is not encrypted, and safe mode accepts only encrypted ones"
        }
    }
}
