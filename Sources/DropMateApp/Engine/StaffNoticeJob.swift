import DropMateCore
import DropMateStorage
import Foundation

/// A notice for staff (a customer asked for a person, hurried an order, cancelled one…), queued with the step that
/// caused it. The worker hands it to every subscribed staff member as a WeChat push (`StaffNoticeSender`).
public struct StaffNoticeJob: Sendable, Hashable, Codable {
    public static let kind = "staff-notice"
    /// The notice as staff read it, phone numbers masked.
    public var text: String
    /// `StaffNotice.Reason`'s raw value, for logs and the console.
    public var reason: String
    /// The customer's OpenID.
    public var customer: String

    public init(text: String, reason: String, customer: String) {
        self.text = text
        self.reason = reason
        self.customer = customer
    }

    /// The queued job; `key` makes enqueuing it twice one job.
    func job(key: String, now: Int64) throws -> NewJob {
        NewJob(kind: Self.kind, payload: String(decoding: try JSONEncoder().encode(self), as: UTF8.self), idempotencyKey: key, runAt: now)
    }

    /// Decodes a queued job's payload.
    public init(payload: String) throws {
        self = try JSONDecoder().decode(StaffNoticeJob.self, from: Data(payload.utf8))
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

    /// The staff members a notice goes to: their account ids and WeChat OpenIDs.
    func recipients() async throws -> [(id: Int64, openID: String)] {
        try await staff.accounts().compactMap { account in
            guard account.active, account.role != .courier, let openID = account.wechatOpenID, !openID.isEmpty else { return nil }
            return (account.id, openID)
        }
    }

    func send(_ notice: StaffNoticeJob, jobID: Int64) async throws {
        let now = clock()
        for recipient in try await recipients() {
            try await queue.enqueue(PushJob(openID: recipient.openID, message: .text(notice.text)).job(key: "staff-notice:\(jobID):\(recipient.id)", now: now))
        }
    }
}
