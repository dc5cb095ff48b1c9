import DropMateCore

/// A WeChat message as the engine sees it: who, when, its dedupe key and its conversation input. The webhook maps
/// WeChat's messages onto it (`IncomingChat+WeChat.swift`), so the engine knows nothing of WeChat's XML types.
public struct IncomingChat: Sendable {
    public var customer: String
    public var createTime: Int64
    /// Identifies WeChat's retries of this message; it names the sender (`InboundMessage.dedupeKey`), so memory,
    /// Redis and the store's dedupe records never hand one customer's answer to another.
    public var dedupeKey: String
    /// nil for messages that only need acknowledging (unknown types, VIEW, SCAN, delivery reports).
    public var input: ConversationInput?
    /// The signed request that carried it (nil for messages that did not come through the webhook): across
    /// replicas, its (timestamp, nonce) may carry this body only (`RedisCoordinator`).
    public var request: SignedRequest?

    public init(customer: String, createTime: Int64, dedupeKey: String, input: ConversationInput?) {
        self.customer = customer
        self.createTime = createTime
        self.dedupeKey = dedupeKey
        self.input = input
    }
}
