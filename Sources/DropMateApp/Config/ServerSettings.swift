import Foundation

/// Where the process listens and keeps its files, and how it shows times and links (`HOST`, `PORT`,
/// `DROPMATE_DATA_DIR`, `PUBLIC_BASE_URL`, `DROPMATE_UTC_OFFSET_HOURS`).
struct ServerSettings: Equatable {
    var host = "127.0.0.1"
    var port = 8080
    var dataDirectory = ".dropmate"
    var publicBaseURL = "http://localhost:8080"
    var utcOffsetSeconds = 8 * 3600

    static func read(_ env: EnvironmentReader) -> ServerSettings {
        var settings = ServerSettings()
        settings.port = env.int(
            "PORT", default: 8080, in: 0...65535, "must be a number from 0 (any free port) to 65535")
        settings.host = env.raw("HOST") ?? settings.host
        settings.dataDirectory = env.raw("DROPMATE_DATA_DIR") ?? settings.dataDirectory
        let hours = env.double(
            "DROPMATE_UTC_OFFSET_HOURS", default: 8, in: -12...14, "must be a number of hours from -12 to 14")
        settings.utcOffsetSeconds = Int((hours ?? 8) * 3600)
        settings.publicBaseURL = (env.raw("PUBLIC_BASE_URL") ?? "http://localhost:\(settings.port)").trimmingCharacters(
            in: CharacterSet(charactersIn: "/"))
        if !EnvironmentReader.isHTTPURL(settings.publicBaseURL) {
            env.problem("PUBLIC_BASE_URL", "must be an http(s) URL")
        }
        return settings
    }
}

/// The secrets generated for a data directory when none are configured (`WECHAT_TOKEN` or `JWT_SECRET` unset).
enum DevSecretsReader {
    static func read(_ env: EnvironmentReader, dataDirectory: String) -> DevSecrets? {
        guard env.raw("WECHAT_TOKEN") == nil || env.raw("JWT_SECRET") == nil else { return nil }
        do { return try DevSecrets.loadOrCreate(in: dataDirectory) } catch {
            env.problem("DROPMATE_DATA_DIR", "cannot create dev secrets in \(dataDirectory): \(error)")
            return nil
        }
    }
}

/// Signed links and staff passwords (`JWT_SECRET`, `DROPMATE_CONFIRM_LINK_TTL`, `DROPMATE_PASSWORD_COST`).
struct LinkSettings: Equatable {
    /// Key for signed links (the dev secret's when `JWT_SECRET` is unset).
    var secret: [UInt8] = []
    var confirmationLinkTTL: Int64 = 1800
    var passwordCost = 15

    static func read(_ env: EnvironmentReader, dev: DevSecrets?) -> LinkSettings {
        var settings = LinkSettings()
        if let configured = env.raw("JWT_SECRET") {
            settings.secret = Array(configured.utf8)
            if settings.secret.count < 32 { env.problem("JWT_SECRET", "must be at least 32 characters") }
        } else {
            settings.secret = dev.map { Array($0.linkSecret.utf8) } ?? []
        }
        settings.passwordCost = env.int(
            "DROPMATE_PASSWORD_COST", default: 15, in: 10...20, "must be 10 to 20 (scrypt log2 N)")
        settings.confirmationLinkTTL = env.int64(
            "DROPMATE_CONFIRM_LINK_TTL", default: 1800, in: 60...Int64.max, "must be at least 60 seconds")
        return settings
    }
}
