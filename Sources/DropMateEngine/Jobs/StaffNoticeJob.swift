import DropMateCore
import DropMateStorage
import Foundation

/// A notice for staff (a customer asked for a person, hurried an order, cancelled one…), queued with the step that
/// caused it. The worker hands it to every subscribed staff member as a WeChat push (`StaffNoticeSender`).
public struct StaffNoticeJob: JobPayload, Hashable {
    public static let kind = "staff-notice"
    /// The notice as staff read it, phone numbers masked.
    public var text: String
    /// `StaffNotice.Reason`'s raw value, for logs and the console.
    public var reason: String
    /// The customer's OpenID.
    public var customer: String
    /// Who hears it: nil, every office member with a bound WeChat; `orders`, those subscribed to new orders.
    public var audience: String?

    /// The `reason` and `audience` of a new order ready to dispatch.
    public static let newOrder = "new_order", orders = "orders"

    public init(text: String, reason: String, customer: String, audience: String? = nil) {
        self.audience = audience
        self.text = text
        self.reason = reason
        self.customer = customer
    }

    /// A new order ready to dispatch, once per order whichever way it got there (a confirmation, or a payment).
    package static func announcing(
        _ order: Order, renderer: ReplyRenderer, catalog: Catalog, paid: Bool, now: Int64
    ) throws -> NewJob {
        try StaffNoticeJob(
            text: renderer.newOrderText(order, catalog: catalog, paid: paid), reason: newOrder,
            customer: order.customer, audience: orders
        )
        .job(key: "order-notice:\(order.id)", now: now)
    }

    /// The queued job; `key` makes enqueuing it twice one job.
    func job(key: String, now: Int64) throws -> NewJob {
        try newJob(key: key, runAt: now)
    }
}

/// Sends a staff notice: one push per active admin or dispatcher with a WeChat bound for notices
/// (`PUT /api/v1/staff/{id}/notifications`). Couriers are not staff for this. Each push is keyed by the notice's
/// job and the staff member, so a retried notice tells nobody twice.
public struct StaffNoticeSender: Sendable {
    let staff: SQLStaffStore
    let queue: any JobQueue
    let clock: @Sendable () -> Int64

    public init(staff: SQLStaffStore, queue: any JobQueue, clock: @escaping @Sendable () -> Int64) {
        self.staff = staff
        self.queue = queue
        self.clock = clock
    }

    /// The staff members a notice goes to: their account ids and WeChat OpenIDs. New orders go only to those who
    /// subscribed (`notify_orders`, switched in the console); other notices to every bound office member.
    func recipients(_ audience: String? = nil) async throws -> [(id: Int64, openID: String)] {
        try await staff.accounts().compactMap { account in
            guard account.active, account.role != .courier, let openID = account.wechatOpenID, !openID.isEmpty else {
                return nil
            }
            if audience == StaffNoticeJob.orders, !account.notifyOrders { return nil }
            return (account.id, openID)
        }
    }

    package func send(_ notice: StaffNoticeJob, jobID: Int64) async throws {
        let now = clock()
        for recipient in try await recipients(notice.audience) {
            try await queue.enqueue(
                PushJob(openID: recipient.openID, message: .text(notice.text)).job(
                    key: "staff-notice:\(jobID):\(recipient.id)", now: now))
        }
    }
}
