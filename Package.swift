// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "DropMate",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "dropmate", targets: ["dropmate"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        // Staff authentication: an AuthRequestContext, an authenticator middleware and role policies.
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        .package(url: "https://github.com/swift-extras/swift-extras-base64.git", from: "1.2.0"),
        // Already in the graph through Hummingbird; declared because the app and the fakes import HTTPTypes themselves.
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        // Tracing (issue 16): OTLP/HTTP only. Its default traits add gRPC (~7 min on a clean build); OTLPHTTP costs ~85 s.
        // traits: needs swift-tools-version 6.1.
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        // C libraries through system-library shims.
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CHiredis", pkgConfig: "hiredis", providers: [.apt(["libhiredis-dev"])]),

        // Calendar dates from day counts and back (days-from-civil), no time-zone database, no dependencies: for the
        // replies (Core), the reports, the logs and request signers, none of which should import another for it.
        .target(name: "DropMateCivilTime"),

        // Pure domain and conversation machine: no I/O.
        .target(name: "DropMateCore", dependencies: ["DropMateCivilTime"]),

        // RFC 3986 percent-encoding, the one encoder of query values, forms, paths and SigV4. No dependencies, so every
        // HTTP client (WeChat, WeChat Pay, SMS, maps, S3) can import it without importing another's protocol.
        .target(name: "DropMatePercentEncoding"),

        // WeChat protocol only: signatures, AES message crypto, libxml2 reader/writer, message types.
        .target(
            name: "DropMateWeChat",
            dependencies: [
                "CLibXML2", "DropMatePercentEncoding",
                "DropMateDataProtection",  // SecureRandom: the reply's 16 random bytes
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]),

        // WeChat Pay API v3 only: request signing, answer/callback verification, AEAD_AES_256_GCM resources, JSAPI pay
        // sheets and a client over a transport the app supplies. Knows nothing about orders.
        .target(
            name: "DropMateWeChatPay",
            dependencies: [
                "DropMatePercentEncoding",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]),

        // SQL stores and migrations: the same SQL on SQLite (the embedded default) and PostgreSQL (production).
        .target(
            name: "DropMateStorage",
            dependencies: [
                "DropMateCore", "DropMateDataProtection",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]),

        // Redis over SwiftNIO (+ NIOSSL for rediss://), with hiredis for the wire format only.
        .target(
            name: "DropMateRedis",
            dependencies: [
                "CHiredis",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),

        // PII at rest (AES-GCM with key ids, keyed lookup hashes, masking) and staff password hashing (scrypt).
        .target(
            name: "DropMateDataProtection",
            dependencies: [
                .product(name: "ExtrasBase64", package: "swift-extras-base64"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]),

        // Object storage for ad images and reports: local files (embedded default) or S3-compatible (SigV4).
        .target(
            name: "DropMateObjectStore",
            dependencies: [
                "CLibXML2", "DropMatePercentEncoding",  // libxml2: S3's XML error bodies
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]),

        // Daily dispatch reports: streaming XLSX (native chart), CSV and SVG from rows the caller feeds.
        .target(
            name: "DropMateReports",
            dependencies: ["DropMateCivilTime", .product(name: "ZIPFoundation", package: "ZIPFoundation")]),

        // Metrics, the trace exporter and the log handler: what every other target reports through.
        .target(
            name: "DropMateTelemetry",
            dependencies: [
                "DropMateDataProtection",  // PIIMask for log lines
                "DropMateCivilTime",  // the log lines' timestamps
                .product(name: "OTel", package: "swift-otel"),  // tracing (issue 16)
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]),

        // The conversation engine around Core's pure machine: dedupe, coordination (the protocol and the in-process
        // coordinator), effects, commits, job payloads and the ports outside services plug into (notifier, maps).
        .target(
            name: "DropMateEngine",
            dependencies: [
                "DropMateCore", "DropMateStorage", "DropMateDataProtection", "DropMateTelemetry",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),

        // Everything the fakes stand in for: WeChat's server API (access tokens, notifier, templates), SMS providers,
        // map services, WeChat Pay's transport.
        .target(
            name: "DropMateOutbound",
            dependencies: [
                "DropMateCore", "DropMateEngine", "DropMateTelemetry", "DropMateWeChat", "DropMateWeChatPay",
                "DropMateStorage", "DropMateRedis",
                "DropMateDataProtection", "DropMatePercentEncoding", "DropMateCivilTime",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]),

        // HTTP routes, the staff API, the console, configuration, the Redis adapters and the wiring.
        .target(
            name: "DropMateApp",
            dependencies: [
                "DropMateCore", "DropMateEngine", "DropMateOutbound", "DropMateTelemetry",
                "DropMateWeChat", "DropMateStorage", "DropMateRedis", "DropMateDataProtection", "DropMateReports",
                "DropMateObjectStore",
                "DropMateWeChatPay", "DropMatePercentEncoding", "DropMateCivilTime",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "OTel", package: "swift-otel"),  // tracing (issue 16)
            ]),

        // The one binary: serve, chat, loadgen, …
        // Stand-ins for services outside our control (WeChat's API), shared by tests and benchmarks.
        .target(
            name: "DropMateFakes",
            dependencies: [
                "DropMateWeChatPay",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]),
        .executableTarget(
            name: "fake-wechat",
            dependencies: [
                "DropMateFakes",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]),

        .executableTarget(
            name: "dropmate",
            dependencies: [
                "DropMateApp", "DropMateEngine", "DropMateOutbound", "DropMateTelemetry", "DropMateWeChat",
                "DropMatePercentEncoding",
                "DropMateCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),

        .testTarget(name: "DropMatePercentEncodingTests", dependencies: ["DropMatePercentEncoding"]),
        .testTarget(name: "DropMateCivilTimeTests", dependencies: ["DropMateCivilTime"]),
        .testTarget(
            name: "DropMateCoreTests", dependencies: ["DropMateCore", "DropMateCivilTime"], exclude: ["Fixtures"]),
        .testTarget(
            name: "DropMateWeChatTests",
            dependencies: [
                "DropMateWeChat",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]),
        .testTarget(name: "DropMateWeChatPayTests", dependencies: ["DropMateWeChatPay"], exclude: ["Fixtures"]),
        .testTarget(
            name: "DropMateStorageTests",
            dependencies: [
                "DropMateStorage", "DropMateDataProtection",
                "DropMateCore",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "DropMateRedisTests",
            dependencies: [
                "DropMateRedis",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        .testTarget(
            name: "DropMateObjectStoreTests",
            dependencies: [
                "DropMateObjectStore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .testTarget(
            name: "DropMateDataProtectionTests",
            dependencies: [
                "DropMateDataProtection",
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .testTarget(
            name: "DropMateReportsTests",
            dependencies: ["DropMateReports", .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        .testTarget(
            name: "DropMateAppTests",
            dependencies: [
                "DropMateFakes",
                "DropMateApp", "DropMateEngine", "DropMateOutbound", "DropMateTelemetry",
                "DropMateWeChat", "DropMateDataProtection", "DropMateWeChatPay",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                "DropMateCore", "DropMateStorage", "DropMateRedis", "DropMateReports", "DropMateObjectStore",
                "DropMateCivilTime",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SQLKit", package: "sql-kit"),
            ]),
    ],
    swiftLanguageModes: [.v6]
)
