/// A customer's message on the board: about their order (seen by staff) or public.
public struct BoardPost: Sendable, Hashable, Codable, Identifiable {
    public var id: Int64
    public var customer: String
    /// Set when the post is about one of the customer's orders.
    public var orderID: Int64?
    public var body: String
    public var createdAt: Int64

    public init(id: Int64, customer: String, orderID: Int64?, body: String, createdAt: Int64) {
        self.id = id
        self.customer = customer
        self.orderID = orderID
        self.body = body
        self.createdAt = createdAt
    }

    /// Longest post accepted, in characters.
    public static let maxLength = 500
}
