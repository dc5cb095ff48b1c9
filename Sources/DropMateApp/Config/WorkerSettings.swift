import DropMateCore
import Foundation

/// The conversation's pace: the per-customer rate limit and the hand-off to a person (`DROPMATE_RATE_LIMIT`,
/// `DROPMATE_HANDOFF_MINUTES`).
struct ConversationSettings: Equatable {
    var rateLimit = 60
    var handoffSeconds: Int64 = 30 * 60

    static func read(_ env: EnvironmentReader) -> ConversationSettings {
        var settings = ConversationSettings()
        settings.rateLimit = env.int(
            "DROPMATE_RATE_LIMIT", default: 60, in: 0...Int.max,
            "must be a whole number of messages per customer per minute (0: no limit)")
        settings.handoffSeconds =
            env.int64("DROPMATE_HANDOFF_MINUTES", default: 30, in: 1...1440, "must be 1 to 1440 minutes") * 60
        return settings
    }
}

/// The job worker and its sweeps (`DROPMATE_JOB_LEASE_SECONDS`, `DROPMATE_SHUTDOWN_GRACE_SECONDS`,
/// `DROPMATE_ETA_PUSH_THRESHOLD_MINUTES`, `DROPMATE_ETA_PUSH_MIN_INTERVAL_MINUTES`, `DROPMATE_ETA_REFRESH_SECONDS`,
/// `DROPMATE_DEDUPE_RETENTION_SECONDS`).
struct WorkerSettings: Equatable {
    var jobLeaseSeconds: Int64 = 120
    var shutdownGraceSeconds: Int64 = 25
    var etaPush = ETAPushRules(threshold: 5 * 60, minInterval: 10 * 60)
    var etaRefreshSeconds: Int64 = 120
    var dedupeRetentionSeconds: Int64 = 86_400

    static func read(_ env: EnvironmentReader) -> WorkerSettings {
        var settings = WorkerSettings()
        settings.jobLeaseSeconds = env.int64(
            "DROPMATE_JOB_LEASE_SECONDS", default: 120, in: 2...Int64.max,
            "must be a whole number of seconds, at least 2")
        settings.shutdownGraceSeconds = env.int64(
            "DROPMATE_SHUTDOWN_GRACE_SECONDS", default: 25, in: 0...3600, "must be 0 to 3600 seconds")
        let threshold = env.int64(
            "DROPMATE_ETA_PUSH_THRESHOLD_MINUTES", default: 5, in: 1...240, "must be 1 to 240 minutes")
        let interval = env.int64(
            "DROPMATE_ETA_PUSH_MIN_INTERVAL_MINUTES", default: 10, in: 0...1440, "must be 0 to 1440 minutes")
        settings.etaPush = ETAPushRules(threshold: threshold * 60, minInterval: interval * 60)
        settings.etaRefreshSeconds = env.int64(
            "DROPMATE_ETA_REFRESH_SECONDS", default: 120, in: 10...3600, "must be 10 to 3600 seconds")
        settings.dedupeRetentionSeconds = env.int64(
            "DROPMATE_DEDUPE_RETENTION_SECONDS", default: 86_400, in: 61...(30 * 86_400),
            "must be a whole number of seconds, at most 30 days")
        return settings
    }
}

/// The map service for road distances (`MAPS_PROVIDER`: none, amap, tencent; `MAPS_API_KEY`, `MAPS_API_BASE_URL`,
/// `MAPS_TIMEOUT_MS`).
struct MapsSettings: Equatable {
    var provider: String
    var key: String
    var baseURL: String?
    var timeout: Duration

    /// nil: no map service (straight-line distances).
    static func read(_ env: EnvironmentReader) -> MapsSettings? {
        let provider = (env.raw("MAPS_PROVIDER") ?? "none").lowercased()
        let timeout = env.int(
            "MAPS_TIMEOUT_MS", default: 800, in: 50...4000,
            "must be 50 to 4000 milliseconds (the reply is due within 5 s)")
        switch provider {
        case "none", "": return nil
        case "amap", "tencent":
            guard let key = env.string("MAPS_API_KEY") else {
                env.problem("MAPS_API_KEY", "is required for MAPS_PROVIDER=\(provider)")
                return nil
            }
            return MapsSettings(
                provider: provider, key: key, baseURL: env.string("MAPS_API_BASE_URL"), timeout: .milliseconds(timeout))
        default:
            env.problem("MAPS_PROVIDER", "must be none, amap or tencent")
            return nil
        }
    }
}
