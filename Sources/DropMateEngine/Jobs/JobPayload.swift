import DropMateCore
import Foundation

/// A job's payload: what its handler needs, stored as JSON in the `jobs` table (and on the Redis stream) under its
/// kind. A kind is one type conforming here plus one `JobWorker.register` line (see docs/ARCHITECTURE.md).
///
/// The stored shape is `Codable`'s own, written and read by one encoder and decoder for every kind, so releases
/// agree on it. Rows an older release queued must still run after an upgrade: never rename `kind` or a field,
/// and add a field only as an optional (or with a decoding default). `JobPayloadCompatibilityTests` runs one row
/// of each kind in the shape older releases wrote.
public protocol JobPayload: Codable, Sendable {
    /// The kind stored with each job (`jobs.kind`): stable across releases.
    static var kind: String { get }
    /// Jobs of one kind with the same lane run one after another, in the order queued (a customer's pushes, an
    /// order's payment steps); nil: the job runs beside any other.
    var lane: String? { get }
    /// What `dropmate enqueue KIND --payload` expects, shown when a payload does not decode.
    static var payloadHint: String? { get }
}

extension JobPayload {
    public var lane: String? { nil }
    public static var payloadHint: String? { nil }

    /// Decodes a queued job's payload (throws when it is not this kind's JSON).
    public init(payload: String) throws {
        self = try JSONDecoder().decode(Self.self, from: Data(payload.utf8))
    }

    /// The payload as stored.
    public func encodedPayload() throws -> String {
        String(decoding: try JSONEncoder().encode(self), as: UTF8.self)
    }

    /// The job to queue, due at `runAt`; queuing the same `key` twice makes one job.
    public func newJob(key: String?, runAt: Int64, maxAttempts: Int = 8) throws -> NewJob {
        NewJob(
            kind: Self.kind, payload: try encodedPayload(), idempotencyKey: key, runAt: runAt, maxAttempts: maxAttempts)
    }
}
