import DropMateCore
import DropMateWeChat
import Foundation
import Testing

@testable import DropMateApp
@testable import DropMateEngine
@testable import DropMateOutbound
@testable import DropMateTelemetry

/// Each concern's configuration reader on its own: its defaults, what it accepts, and problems that name the
/// variable and never quote a secret.
@Suite struct ConfigReaderTests {
    /// Runs `read` on `environment`; what it returned and the variables it complained about, in order.
    func read<T>(_ environment: [String: String], _ read: (EnvironmentReader) -> T) -> (T, [AppConfig.Problem]) {
        let reader = EnvironmentReader(environment)
        let value = read(reader)
        return (value, reader.problems)
    }

    func temporaryDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("dropmate-config-\(UUID().uuidString)").path
    }

    @Test func theServerReaderHasWorkingDefaultsAndNamesBadValues() {
        let (defaults, none) = read([:], ServerSettings.read)
        #expect(none.isEmpty && defaults == ServerSettings())
        #expect(defaults.publicBaseURL == "http://localhost:8080" && defaults.utcOffsetSeconds == 8 * 3600)
        let (set, fine) = read(
            [
                "PORT": "0", "HOST": "0.0.0.0", "PUBLIC_BASE_URL": "https://dm.example/",
                "DROPMATE_UTC_OFFSET_HOURS": "5.5",
            ], ServerSettings.read)
        #expect(
            fine.isEmpty && set.port == 0 && set.host == "0.0.0.0" && set.publicBaseURL == "https://dm.example"
                && set.utcOffsetSeconds == 19_800)
        let (_, problems) = read(
            ["PORT": "80a", "PUBLIC_BASE_URL": "ftp://x", "DROPMATE_UTC_OFFSET_HOURS": "15"], ServerSettings.read)
        #expect(problems.map(\.variable) == ["PORT", "DROPMATE_UTC_OFFSET_HOURS", "PUBLIC_BASE_URL"])
        #expect(problems[0].description == "PORT: must be a number from 0 (any free port) to 65535")
    }

    @Test func theWeChatReaderChecksCredentialsWithoutQuotingThem() {
        let environment = [
            "WECHAT_TOKEN": "abc123", "WECHAT_APP_ID": "wx1", "WECHAT_ENCODING_AES_KEY": TestAccount.encodingAESKey,
            "WECHAT_APP_SECRET": "0123456789abcdef0123456789abcdef", "WECHAT_MESSAGE_MODE": "SAFE",
            "WECHAT_TEMPLATE_FALLBACK_ID": "tmpl",
        ]
        let (wechat, none) = read(environment) { WeChatSettings.read($0, dev: nil) }
        #expect(none.isEmpty)
        #expect(
            wechat.token == "abc123" && wechat.messageMode == .safe && wechat.appSecret != nil
                && !wechat.usesGeneratedSecrets)
        #expect(
            wechat.templateFallback?.id == "tmpl" && wechat.templateFallback?.field == "thing1"
                && wechat.timestampWindow == 300)
        let (plain, _) = read(["WECHAT_TOKEN": "abc123"]) { WeChatSettings.read($0, dev: nil) }
        #expect(
            plain.messageMode == .plaintext && plain.encodingAESKey == nil && plain.appSecret == nil
                && plain.appID == DevSecrets.appID)
        let secret = "short-s3cret"
        let (_, problems) = read([
            "WECHAT_TOKEN": "no spaces!", "WECHAT_APP_SECRET": secret, "WECHAT_ENCODING_AES_KEY": "tooShort",
            "WECHAT_MESSAGE_MODE": "loud", "WECHAT_TIMESTAMP_WINDOW": "5", "WECHAT_API_BASE_URL": "api.weixin.qq.com",
        ]) {
            WeChatSettings.read($0, dev: nil)
        }
        #expect(
            Set(problems.map(\.variable)) == [
                "WECHAT_TOKEN", "WECHAT_APP_SECRET", "WECHAT_ENCODING_AES_KEY", "WECHAT_MESSAGE_MODE",
                "WECHAT_TIMESTAMP_WINDOW", "WECHAT_API_BASE_URL",
            ])
        #expect(
            !problems.contains {
                $0.description.contains(secret) || $0.description.contains("no spaces!")
                    || $0.description.contains("tooShort")
            })
        let (_, modeWithoutKey) = read(["WECHAT_TOKEN": "abc123", "WECHAT_MESSAGE_MODE": "compatible"]) {
            WeChatSettings.read($0, dev: nil)
        }
        #expect(
            modeWithoutKey.map(\.description) == ["WECHAT_MESSAGE_MODE: compatible mode needs WECHAT_ENCODING_AES_KEY"])
    }

    @Test func generatedSecretsFillInWhatIsNotConfigured() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (dev, none) = read([:]) { DevSecretsReader.read($0, dataDirectory: directory) }
        let secrets = try #require(dev)
        #expect(none.isEmpty)
        let (wechat, _) = read([:]) { WeChatSettings.read($0, dev: secrets) }
        #expect(
            wechat.token == secrets.token && wechat.encodingAESKey == secrets.encodingAESKey
                && wechat.usesGeneratedSecrets)
        #expect(wechat.messageMode == .compatible)
        let (links, _) = read([:]) { LinkSettings.read($0, dev: secrets) }
        #expect(links.secret == Array(secrets.linkSecret.utf8))
        // Both configured: nothing is generated.
        let (nothing, _) = read(["WECHAT_TOKEN": "abc", "JWT_SECRET": TestAccount.jwtSecret]) {
            DevSecretsReader.read($0, dataDirectory: directory + "/other")
        }
        #expect(nothing == nil && !FileManager.default.fileExists(atPath: directory + "/other"))
    }

    @Test func theLinkReaderRefusesAShortSecretWithoutShowingIt() {
        let (links, none) = read(["JWT_SECRET": TestAccount.jwtSecret, "DROPMATE_CONFIRM_LINK_TTL": "600"]) {
            LinkSettings.read($0, dev: nil)
        }
        #expect(
            none.isEmpty && links.secret == Array(TestAccount.jwtSecret.utf8) && links.confirmationLinkTTL == 600
                && links.passwordCost == 15)
        let (_, problems) = read([
            "JWT_SECRET": "tiny-secret", "DROPMATE_CONFIRM_LINK_TTL": "59", "DROPMATE_PASSWORD_COST": "9",
        ]) { LinkSettings.read($0, dev: nil) }
        #expect(
            problems.map(\.description) == [
                "JWT_SECRET: must be at least 32 characters",
                "DROPMATE_PASSWORD_COST: must be 10 to 20 (scrypt log2 N)",
                "DROPMATE_CONFIRM_LINK_TTL: must be at least 60 seconds",
            ])
    }

    @Test func theDatabaseReaderKnowsSQLiteFromPostgres() {
        let (embedded, none) = read([:], DatabaseSettings.read)
        #expect(
            none.isEmpty && embedded.url == nil && embedded.eventLoopNice == 5 && embedded.readMaxLag == .seconds(10))
        let (postgres, fine) = read(
            ["DATABASE_URL": "postgres://u:p@db:5432/dm", "DROPMATE_READ_MAX_LAG_SECONDS": "2.5"], DatabaseSettings.read
        )
        #expect(
            fine.isEmpty && postgres.url != nil && postgres.eventLoopNice == 0
                && postgres.readMaxLag == .milliseconds(2500))
        let (_, problems) = read(
            [
                "DATABASE_URL": "mysql://u:hunter22@db/dm", "DATABASE_READ_URL": "", "DROPMATE_EVENT_LOOP_NICE": "20",
                "DROPMATE_READ_MAX_LAG_SECONDS": "0",
            ], DatabaseSettings.read)
        #expect(
            problems.map(\.variable) == ["DATABASE_URL", "DROPMATE_READ_MAX_LAG_SECONDS", "DROPMATE_EVENT_LOOP_NICE"])
        #expect(!problems.contains { $0.description.contains("hunter22") })
        let (_, replicaAlone) = read(["DATABASE_READ_URL": "postgres://r/dm"], DatabaseSettings.read)
        #expect(replicaAlone.map(\.variable) == ["DATABASE_READ_URL"])
    }

    @Test func theRedisReaderIsOptionalAndChecksThePrefix() {
        let (none, quiet) = read([:], RedisSettings.read)
        #expect(quiet.isEmpty && none.configuration == nil && none.keyPrefix == "dm")
        let (redis, fine) = read(
            ["REDIS_URL": "redis://127.0.0.1:6391/2", "REDIS_KEY_PREFIX": "shop1"], RedisSettings.read)
        #expect(
            fine.isEmpty && redis.configuration?.port == 6391 && redis.configuration?.database == 2
                && redis.keyPrefix == "shop1")
        let (_, problems) = read(
            ["REDIS_URL": "http://x", "REDIS_CLUSTER": "maybe", "REDIS_KEY_PREFIX": "a {b}"], RedisSettings.read)
        #expect(problems.map(\.variable) == ["REDIS_CLUSTER", "REDIS_URL", "REDIS_KEY_PREFIX"])
    }

    @Test func personalDataKeysAreRequiredOnPostgresAndGeneratedOtherwise() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let (generated, none) = read([:]) {
            PIIKeysReader.read($0, database: DatabaseSettings(), dataDirectory: directory)
        }
        #expect(none.isEmpty && generated != nil)
        let postgres = DatabaseSettings(url: "postgres://db/dm")
        let (missing, problems) = read([:]) { PIIKeysReader.read($0, database: postgres, dataDirectory: directory) }
        #expect(missing == nil && problems.map(\.variable) == ["DROPMATE_PII_KEYS"])
        let (configured, fine) = read(["DROPMATE_PII_KEYS": TestAccount.piiKeys]) {
            PIIKeysReader.read($0, database: postgres, dataDirectory: directory)
        }
        #expect(fine.isEmpty && configured != nil)
        let (_, bad) = read(["DROPMATE_PII_KEYS": "k1:notbase64!"]) {
            PIIKeysReader.read($0, database: postgres, dataDirectory: directory)
        }
        #expect(bad.map(\.variable) == ["DROPMATE_PII_KEYS"] && !bad[0].message.contains("notbase64!"))
    }

    @Test func theWorkerAndConversationReadersKeepTheirDefaults() {
        let (worker, none) = read([:], WorkerSettings.read)
        #expect(none.isEmpty && worker == WorkerSettings())
        #expect(
            worker.jobLeaseSeconds == 120 && worker.shutdownGraceSeconds == 25
                && worker.etaPush == ETAPushRules(threshold: 300, minInterval: 600))
        let (set, fine) = read(
            [
                "DROPMATE_ETA_PUSH_THRESHOLD_MINUTES": "3", "DROPMATE_ETA_PUSH_MIN_INTERVAL_MINUTES": "0",
                "DROPMATE_JOB_LEASE_SECONDS": "2",
            ], WorkerSettings.read)
        #expect(fine.isEmpty && set.etaPush == ETAPushRules(threshold: 180, minInterval: 0) && set.jobLeaseSeconds == 2)
        let (_, problems) = read(
            [
                "DROPMATE_JOB_LEASE_SECONDS": "1", "DROPMATE_SHUTDOWN_GRACE_SECONDS": "-1",
                "DROPMATE_ETA_REFRESH_SECONDS": "9",
            ], WorkerSettings.read)
        #expect(
            problems.map(\.variable) == [
                "DROPMATE_JOB_LEASE_SECONDS", "DROPMATE_SHUTDOWN_GRACE_SECONDS", "DROPMATE_ETA_REFRESH_SECONDS",
            ])
        #expect(set.dedupeRetentionSeconds == 86_400, "a day unless set")
        let (_, tooLong) = read(["DROPMATE_DEDUPE_RETENTION_SECONDS": "\(31 * 86_400)"], WorkerSettings.read)
        #expect(tooLong.map(\.variable) == ["DROPMATE_DEDUPE_RETENTION_SECONDS"])
        let (conversation, quiet) = read(["DROPMATE_RATE_LIMIT": "0"], ConversationSettings.read)
        #expect(quiet.isEmpty && conversation.rateLimit == 0 && conversation.handoffSeconds == 1800)
        let (_, bad) = read(["DROPMATE_RATE_LIMIT": "-3", "DROPMATE_HANDOFF_MINUTES": "0"], ConversationSettings.read)
        #expect(bad.map(\.variable) == ["DROPMATE_RATE_LIMIT", "DROPMATE_HANDOFF_MINUTES"])
    }

    @Test func theMapsReaderNeedsAKeyForARealProvider() {
        let (none, quiet) = read([:], MapsSettings.read)
        #expect(none == nil && quiet.isEmpty)
        let (amap, fine) = read(
            ["MAPS_PROVIDER": "AMap", "MAPS_API_KEY": "k", "MAPS_TIMEOUT_MS": "300"], MapsSettings.read)
        #expect(
            fine.isEmpty && amap == MapsSettings(provider: "amap", key: "k", baseURL: nil, timeout: .milliseconds(300)))
        let (_, keyless) = read(["MAPS_PROVIDER": "tencent"], MapsSettings.read)
        #expect(keyless.map(\.description) == ["MAPS_API_KEY: is required for MAPS_PROVIDER=tencent"])
        let (_, problems) = read(["MAPS_PROVIDER": "google", "MAPS_TIMEOUT_MS": "5000"], MapsSettings.read)
        #expect(problems.map(\.variable) == ["MAPS_TIMEOUT_MS", "MAPS_PROVIDER"])
    }

    @Test func theTracingReaderReadsTheOpenTelemetryVariables() {
        func load(_ environment: [String: String]) -> (ObservabilityConfig, [String]) {
            var problems: [String] = []
            let config = ObservabilityConfig.load(environment) { name, _ in problems.append(name) }
            return (config, problems)
        }
        let (base, none) = load(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318/"])
        #expect(
            none.isEmpty && base.tracesEndpoint == "http://collector:4318/v1/traces"
                && base.sampler == .parentBasedAlwaysOn)
        let (specific, _) = load([
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://a:4318", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "https://b/custom",
        ])
        #expect(specific.tracesEndpoint == "https://b/custom")
        let (ratio, fine) = load([
            "OTEL_TRACES_SAMPLER": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0.25",
            "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf", "LOG_LEVEL": "Debug",
        ])
        #expect(fine.isEmpty && ratio.sampler == .parentBasedTraceIDRatio(0.25))
        #expect(load(["OTEL_TRACES_SAMPLER": "always_off"]).0.sampler == .alwaysOff)
        #expect(load(["OTEL_TRACES_SAMPLER": "traceidratio"]).0.sampler == .traceIDRatio(1))
        let (_, problems) = load([
            "OTEL_TRACES_SAMPLER": "sometimes", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "grpc",
            "OTEL_TRACES_EXPORTER": "zipkin",
            "OTEL_SDK_DISABLED": "maybe", "LOG_LEVEL": "chatty",
        ])
        #expect(
            problems == [
                "LOG_LEVEL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_TRACES_SAMPLER", "OTEL_TRACES_EXPORTER",
                "OTEL_SDK_DISABLED",
            ])
        let (_, badRatio) = load(["OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "2"])
        #expect(badRatio == ["OTEL_TRACES_SAMPLER_ARG"])
        #expect(load(["OTEL_EXPORTER_OTLP_PROTOCOL": "http/json"]).1 == ["OTEL_EXPORTER_OTLP_PROTOCOL"])
        #expect(
            TracingReader.parseHeaders("a=1, b = x%20y ,c=k=v") == [
                ExportHeader(name: "a", value: "1"), ExportHeader(name: "b", value: "x y"),
                ExportHeader(name: "c", value: "k=v"),
            ])
        #expect(
            TracingReader.parseHeaders("novalue") == nil && TracingReader.parseHeaders("a=%0D%0Ainjected: 1") == nil)
    }

    @Test func theWholeConfigurationReportsEveryReadersProblemsTogether() {
        let environment = [
            "PORT": "x", "WECHAT_TOKEN": "t", "JWT_SECRET": "short", "DATABASE_URL": "mysql://db",
            "REDIS_KEY_PREFIX": "",
            "MAPS_PROVIDER": "google", "DROPMATE_RATE_LIMIT": "-1", "DROPMATE_JOB_LEASE_SECONDS": "0",
            "LOG_LEVEL": "loud", "WECHAT_TIMESTAMP_WINDOW": "600", "DROPMATE_DEDUPE_RETENTION_SECONDS": "1200",
            "DROPMATE_DATA_DIR": temporaryDirectory(),
        ]
        do {
            _ = try AppConfig.load(environment: environment)
            Issue.record("a broken configuration loaded")
        } catch let error as AppConfig.Problems {
            let variables = Set(error.problems.map(\.variable))
            for variable in [
                "PORT", "WECHAT_TOKEN", "JWT_SECRET", "DATABASE_URL", "REDIS_KEY_PREFIX", "MAPS_PROVIDER",
                "DROPMATE_RATE_LIMIT",
                "DROPMATE_JOB_LEASE_SECONDS", "LOG_LEVEL", "DROPMATE_PII_KEYS",
                // Shorter than a retried request may come back (2 x 600 + 1 s).
                "DROPMATE_DEDUPE_RETENTION_SECONDS",
            ] {
                #expect(variables.contains(variable), "\(variable) not reported: \(error)")
            }
            #expect(error.description.hasPrefix("invalid configuration:\n  - "))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
