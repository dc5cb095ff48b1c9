import DropMateDataProtection
import DropMateRedis
import DropMateStorage
import Foundation

/// The database: the embedded SQLite default or PostgreSQL, an optional read replica, and how much the event loops
/// yield to the SQLite writer (`DATABASE_URL`, `DATABASE_READ_URL`, `DROPMATE_READ_MAX_LAG_SECONDS`,
/// `DROPMATE_EVENT_LOOP_NICE`).
struct DatabaseSettings: Equatable {
    /// nil: the embedded SQLite default.
    var url: String?
    var readURL: String?
    var readMaxLag: Duration = .seconds(10)
    /// 5 by default on the embedded default (SQLite's writer shares the cores), 0 on PostgreSQL.
    var eventLoopNice: Int32 = 5

    static func read(_ env: EnvironmentReader) -> DatabaseSettings {
        var settings = DatabaseSettings()
        settings.url = env.string("DATABASE_URL")
        if let url = settings.url, !(url.hasPrefix("postgres://") || url.hasPrefix("postgresql://")) {
            env.problem("DATABASE_URL", "must be a postgres:// URL (leave it unset for the embedded SQLite default)")
        }
        settings.readURL = env.string("DATABASE_READ_URL")
        if let url = settings.readURL {
            if settings.url == nil {
                env.problem(
                    "DATABASE_READ_URL",
                    "needs DATABASE_URL: a read replica is a replica of the PostgreSQL primary DATABASE_URL names")
            } else if let reason = PostgresBackend.problem(url: url, variable: "DATABASE_READ_URL") {
                env.problem("DATABASE_READ_URL", "must be a postgres:// URL of the primary's read replica: \(reason)")
            }
        }
        let lag = env.double(
            "DROPMATE_READ_MAX_LAG_SECONDS", default: 10, in: 1...3600,
            "must be 1 to 3600 seconds (the lag is checked every second)")
        settings.readMaxLag = .milliseconds(Int64(((lag ?? 10) * 1000).rounded()))
        let nice = Int32(env.raw("DROPMATE_EVENT_LOOP_NICE") ?? (settings.url == nil ? "5" : "0")) ?? -1
        if !(0...19).contains(nice) { env.problem("DROPMATE_EVENT_LOOP_NICE", "must be a whole number from 0 to 19") }
        settings.eventLoopNice = nice
        return settings
    }
}

/// Redis, when configured (`REDIS_URL`, `REDIS_CLUSTER`, `REDIS_TLS_CA_FILE`, `REDIS_KEY_PREFIX`).
struct RedisSettings {
    /// nil: no Redis (one process, state in the database and in memory).
    var configuration: RedisConfiguration?
    var keyPrefix = "dm"

    static func read(_ env: EnvironmentReader) -> RedisSettings {
        var settings = RedisSettings()
        var cluster: Bool?
        switch env.raw("REDIS_CLUSTER")?.lowercased() {
        case nil, "": cluster = nil
        case "1", "true", "yes": cluster = true
        case "0", "false", "no": cluster = false
        default:
            env.problem(
                "REDIS_CLUSTER",
                "must be 1 (a Redis Cluster) or 0 (one Redis server); unset, a REDIS_URL listing several nodes means a cluster"
            )
        }
        if let url = env.string("REDIS_URL") {
            do { settings.configuration = try RedisConfiguration(url: url, cluster: cluster) } catch {
                env.problem("REDIS_URL", "\(error)")
            }
            if let caFile = env.string("REDIS_TLS_CA_FILE") {
                if FileManager.default.isReadableFile(atPath: caFile) {
                    settings.configuration?.tlsCAFile = caFile
                } else {
                    env.problem("REDIS_TLS_CA_FILE", "cannot read \(caFile)")
                }
            }
        }
        settings.keyPrefix = env.raw("REDIS_KEY_PREFIX") ?? settings.keyPrefix
        if settings.keyPrefix.isEmpty || settings.keyPrefix.count > 64
            || settings.keyPrefix.contains(where: { $0.isWhitespace || $0 == "{" || $0 == "}" })
        {
            env.problem("REDIS_KEY_PREFIX", "must be 1 to 64 characters without spaces or braces")
        }
        return settings
    }
}

/// Keys for personal data at rest (`DROPMATE_PII_KEYS`): required with PostgreSQL, generated per data directory on
/// the embedded default.
enum PIIKeysReader {
    static func read(_ env: EnvironmentReader, database: DatabaseSettings, dataDirectory: String) -> PIIKeyRing? {
        if let text = env.string("DROPMATE_PII_KEYS") {
            do { return try PIIKeyRing(parsing: text) } catch {
                env.problem("DROPMATE_PII_KEYS", error.problems.joined(separator: "; "))
            }
        } else if database.url != nil {
            env.problem(
                "DROPMATE_PII_KEYS",
                "is required with DATABASE_URL: id:base64key (openssl rand -base64 32), current key first")
        } else {
            do { return try PIIKeyRing(parsing: try DevSecrets.piiKeys(in: dataDirectory)) } catch {
                env.problem("DROPMATE_DATA_DIR", "cannot create the personal-data key in \(dataDirectory): \(error)")
            }
        }
        return nil
    }
}
