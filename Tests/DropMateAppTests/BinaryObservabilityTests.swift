import AsyncHTTPClient
import DropMateApp
import Foundation
import NIOCore
import NIOPosix
import Testing

@testable import DropMateTelemetry

/// The real `dropmate` binary, as Kubernetes and Prometheus meet it: JSON logs on stderr, `/metrics` on the api's
/// port and on the worker's `METRICS_PORT`.
@Suite(.enabled(if: DropMateBinary.path != nil, "build the dropmate product first (swift build)"), .serialized)
struct BinaryObservabilityTests {
    /// A value in one of the binary's JSON log lines (stderr), by message.
    static func logged(_ process: DropMateBinary.Running, message: String, key: String) async throws -> String? {
        try await process.waitForLine(stderr: true) { (line: String) -> String? in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                object["message"] as? String == message
            else { return nil }
            return object[key] as? String
        }
    }

    /// Every line on stdout and stderr is a JSON object with time, level and message.
    static func expectAllJSON(_ lines: [String]) {
        for line in lines {
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(
                object?["time"] != nil && object?["level"] != nil && object?["message"] != nil,
                "not a JSON log line: \(line)")
        }
    }

    @Test func serveLogsOnlyJSONAndServesMetricsOnItsMetricsPortOnly() async throws {
        try await DropMateBinary.run(["serve"], environment: ["METRICS_PORT": "0"]) { process in
            let port = try #require(
                try await Self.logged(process, message: "DropMate is serving", key: "dropmate.port").flatMap { Int($0) }
            )
            let metricsPort = try #require(
                try await Self.logged(
                    process, message: "serving /metrics, /healthz and /readyz", key: "dropmate.metrics_port"
                ).flatMap { Int($0) })
            _ = try await DropMateBinary.get("http://127.0.0.1:\(port)/healthz")
            // Not on the serving port, which the Ingress exposes.
            let exposed = try await HTTPClient.shared.execute(
                HTTPClientRequest(url: "http://127.0.0.1:\(port)/metrics"), timeout: .seconds(10))
            #expect(exposed.status == .notFound)
            let text = try await DropMateBinary.get("http://127.0.0.1:\(metricsPort)/metrics")
            let types = prometheusTypes(text)
            #expect(types["dropmate_http_request_duration_seconds"] == "histogram")
            #expect(types["dropmate_queue_depth"] == "gauge")
            #expect(types["dropmate_orders_total"] == "counter")
            #expect(types["process_cpu_seconds_total"] == "counter")
            #expect(types["process_resident_memory_bytes"] == "gauge")
            #expect(text.contains(#"route="/healthz",method="GET",status="200""#))
            #expect(try await DropMateBinary.get("http://127.0.0.1:\(metricsPort)/readyz") == "ready")
            #expect(!process.stderrLines().isEmpty)
            // The start banner included: LOG_FORMAT=json means every line the process writes.
            Self.expectAllJSON(process.stderrLines() + process.stdoutLines())
        }
    }

    @Test func theReleaseShowsInVersionHealthzAndMetricsAndHealthcheckAsksTheProcess() async throws {
        let version = try DropMateBinary.start(["--version"])
        while version.process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        try await Task.sleep(for: .milliseconds(100))
        #expect(version.stdoutLines() == [DropMateVersion.current])
        await version.stop()
        try await DropMateBinary.run(["serve"], environment: ["METRICS_PORT": "0"]) { process in
            let port = try #require(
                try await Self.logged(process, message: "DropMate is serving", key: "dropmate.port").flatMap { Int($0) }
            )
            let metricsPort = try #require(
                try await Self.logged(
                    process, message: "serving /metrics, /healthz and /readyz", key: "dropmate.metrics_port"
                ).flatMap { Int($0) })
            let plain = try await HTTPClient.shared.execute(
                HTTPClientRequest(url: "http://127.0.0.1:\(port)/healthz"), timeout: .seconds(10))
            #expect(plain.headers["DropMate-Version"].first == DropMateVersion.current)
            #expect(String(buffer: try await plain.body.collect(upTo: 1024)) == "ok")
            var asking = HTTPClientRequest(url: "http://127.0.0.1:\(port)/healthz")
            asking.headers.add(name: "Accept", value: "application/json")
            let json = try await HTTPClient.shared.execute(asking, timeout: .seconds(10))
            let object =
                try JSONSerialization.jsonObject(with: Data(buffer: try await json.body.collect(upTo: 1024)))
                as? [String: String]
            #expect(object == ["status": "ok", "version": DropMateVersion.current])
            let metrics = try await DropMateBinary.get("http://127.0.0.1:\(metricsPort)/metrics")
            #expect(metrics.contains(#"dropmate_build_info{version="\#(DropMateVersion.current)"} 1"#))
            for (port, expected) in [(port, Int32(0)), (metricsPort, 0)] {
                let check = try DropMateBinary.start(["healthcheck", "--port", "\(port)"])
                while check.process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
                #expect(check.process.terminationStatus == expected)
                await check.stop()
            }
        }
        // Nobody there: exit 1 with the reason.
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(
            host: "127.0.0.1", port: 0
        ).get()
        let closedPort = try #require(listener.localAddress?.port)
        try await listener.close()
        let down = try DropMateBinary.start(["healthcheck", "--port", "\(closedPort)"])
        while down.process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        try await Task.sleep(for: .milliseconds(100))
        #expect(down.process.terminationStatus == 1)
        #expect((down.stderrLines() + down.stdoutLines()).joined().contains("did not answer"))
        await down.stop()
    }

    @Test func refusalsToStartAreJSONTooAndNameTheVariableNotTheValue() async throws {
        let placeholder = "change-me-to-at-least-32-random-characters"
        for (arguments, environment, code) in [
            (["serve"], ["JWT_SECRET": placeholder], Int32(78)), (["serve", "--no-such-flag"], [:], 64),
            (["worker"], ["JWT_SECRET": placeholder], 78),
        ] {
            let process = try DropMateBinary.start(arguments, environment: environment)
            let deadline = ContinuousClock.now + .seconds(30)
            while process.process.isRunning, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            try await Task.sleep(for: .milliseconds(100))  // the pipes' last bytes
            #expect(!process.process.isRunning && process.process.terminationStatus == code, "\(arguments)")
            let lines = process.stderrLines() + process.stdoutLines()
            #expect(!lines.isEmpty)
            Self.expectAllJSON(lines)
            if environment["JWT_SECRET"] != nil {
                #expect(lines.joined().contains("JWT_SECRET") && !lines.joined().contains(placeholder))
            }
            await process.stop()
        }
    }

    /// The binary reads the OpenTelemetry variables from its environment, exports the webhook's spans as OTLP
    /// protobuf with the configured headers, flushes them on SIGTERM, and never logs the header's value.
    @Test func serveExportsTheWebhooksSpansToTheConfiguredCollectorAndFlushesThemOnShutdown() async throws {
        let collector = CollectorStandIn()
        let secret = "binary-test-api-key-5d1c"
        try await collector.serve { endpoint in
            let environment = [
                "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint, "OTEL_EXPORTER_OTLP_HEADERS": "authorization=Bearer \(secret)",
                // only the shutdown flush sends them
                "OTEL_SERVICE_NAME": "dropmate-binary", "OTEL_BSP_SCHEDULE_DELAY": "60000",
                "WECHAT_TOKEN": TestAccount.token, "WECHAT_APP_ID": TestAccount.appID,
                "WECHAT_ENCODING_AES_KEY": TestAccount.encodingAESKey,
                "WECHAT_ACCOUNT_ID": TestAccount.accountID, "JWT_SECRET": TestAccount.jwtSecret,
                "PUBLIC_BASE_URL": "https://dropmate.example",
            ]
            let process = try DropMateBinary.start(["serve"], environment: environment)
            do {
                let port = try #require(
                    try await Self.logged(process, message: "DropMate is serving", key: "dropmate.port").flatMap {
                        Int($0)
                    })
                let (uri, body) = try ObservedApp.message(
                    "菜单", from: "o_binary", id: "9001", at: Int64(Date().timeIntervalSince1970))
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(uri)")
                request.method = .POST
                request.headers.add(
                    name: "traceparent", value: "00-5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e-6f6f6f6f6f6f6f6f-01")
                request.body = .bytes(ByteBuffer(string: body))
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
                #expect(response.status == .ok)
                _ = try await response.body.collect(upTo: 1 << 20)
            } catch {
                await process.stop()
                throw error
            }
            await process.stop()  // SIGTERM: the batch is sent on the way out
            let lines = process.stderrLines() + process.stdoutLines()
            let spans = try await collector.waitFor {
                $0.contains { $0.name == "webhook" } && $0.contains { $0.name == "reply" }
            }
            let webhook = try #require(spans.first { $0.name == "webhook" })
            #expect(webhook.traceID == "5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e" && webhook.parentSpanID == "6f6f6f6f6f6f6f6f")
            #expect(webhook.serviceName == "dropmate-binary")
            #expect(spans.filter { $0.name != "webhook" }.allSatisfy { $0.parentSpanID == webhook.spanID })
            #expect(collector.requestHeaders.allSatisfy { $0["authorization"] == "Bearer \(secret)" })
            #expect(collector.requestContentTypes.allSatisfy { $0 == "application/x-protobuf" })
            #expect(!lines.joined().contains(secret))
            Self.expectAllJSON(lines)
        }
    }

    @Test func theWorkerServesMetricsAndProbesOnItsOwnPort() async throws {
        try await DropMateBinary.run(["worker"], environment: ["METRICS_PORT": "0"]) { process in
            let port = try #require(
                try await process.waitForLine(stderr: true) { (line: String) -> Int? in
                    guard line.contains("worker serving /metrics"),
                        let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                    else { return nil }
                    return (object["dropmate.port"] as? String).flatMap { Int($0) }
                })
            #expect(try await DropMateBinary.get("http://127.0.0.1:\(port)/healthz") == "ok")
            #expect(try await DropMateBinary.get("http://127.0.0.1:\(port)/readyz") == "ready")
            let types = prometheusTypes(try await DropMateBinary.get("http://127.0.0.1:\(port)/metrics"))
            #expect(types["dropmate_jobs_total"] == nil || types["dropmate_jobs_total"] == "counter")
            #expect(types["dropmate_queue_oldest_job_age_seconds"] == "gauge")
            #expect(types["process_start_time_seconds"] == "gauge")
            Self.expectAllJSON(process.stderrLines() + process.stdoutLines())
        }
    }
}

/// The `dropmate` executable next to the test bundle (the same build), or in the package's `.build/debug`.
enum DropMateBinary {
    static let path: String? = {
        let here = URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent()
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let candidates: [String?] = [
            ProcessInfo.processInfo.environment["DROPMATE_BINARY"],
            here.appendingPathComponent("dropmate").path,
            here.deletingLastPathComponent().appendingPathComponent("dropmate").path,
            root.appendingPathComponent(".build/debug/dropmate").path,
        ]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// Runs the binary while `body` runs, then stops it (SIGTERM) without blocking a thread of the shared pool.
    static func run(
        _ arguments: [String], environment: [String: String] = [:], _ body: (Running) async throws -> Void
    ) async throws {
        let process = try start(arguments, environment: environment)
        do { try await body(process) } catch {
            await process.stop()
            throw error
        }
        await process.stop()
    }

    static func start(_ arguments: [String], environment: [String: String] = [:]) throws -> Running {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "dropmate-bin-\(UUID().uuidString)"
        ).path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path!)
        process.arguments = arguments
        var env = [
            "PATH": "/usr/bin:/bin", "HOME": directory, "PORT": "0", "HOST": "127.0.0.1",
            "DROPMATE_DATA_DIR": directory, "LOG_FORMAT": "json",
        ]
        env.merge(environment) { _, new in new }
        process.environment = env
        let running = Running(process: process, directory: directory)
        try process.run()
        return running
    }

    static func get(_ url: String) async throws -> String {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        return String(buffer: try await response.body.collect(upTo: 1 << 22))
    }

    /// A started binary: its output collected line by line as it arrives.
    final class Running: @unchecked Sendable {
        let process: Process
        let directory: String
        private let stdout = Pipe(), stderr = Pipe()
        private let lock = NSLock()
        private var out = Data(), err = Data()

        init(process: Process, directory: String) {
            self.process = process
            self.directory = directory
            process.standardOutput = stdout
            process.standardError = stderr
            stdout.fileHandleForReading.readabilityHandler = { [weak self] handle in
                self?.append(handle.availableData, toErr: false)
            }
            stderr.fileHandleForReading.readabilityHandler = { [weak self] handle in
                self?.append(handle.availableData, toErr: true)
            }
        }

        private func append(_ data: Data, toErr: Bool) {
            lock.lock()
            if toErr { err.append(data) } else { out.append(data) }
            lock.unlock()
        }

        func stdoutLines() -> [String] { lines(err: false) }
        func stderrLines() -> [String] { lines(err: true) }

        private func lines(err fromErr: Bool) -> [String] {
            lock.lock()
            let data = fromErr ? err : out
            lock.unlock()
            return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        }

        /// Polls the output until `match` finds something, or 30 s pass (or the process exits).
        func waitForLine<T>(stderr fromErr: Bool = false, _ match: (String) -> T?) async throws -> T? {
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                for line in lines(err: fromErr) { if let found = match(line) { return found } }
                if !process.isRunning { return nil }
                try await Task.sleep(for: .milliseconds(50))
            }
            return nil
        }

        /// SIGTERM, then polls for the exit (SIGKILL after 30 s): `waitUntilExit` would hold one of the few
        /// threads every other test's tasks run on.
        func stop() async {
            if process.isRunning { process.terminate() }
            let deadline = ContinuousClock.now + .seconds(30)
            while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            stdout.fileHandleForReading.readabilityHandler = nil
            stderr.fileHandleForReading.readabilityHandler = nil
            try? FileManager.default.removeItem(atPath: directory)
        }
    }
}
