import ArgumentParser
import AsyncHTTPClient
import DropMateApp
import Foundation
import NIOCore

/// `dropmate healthcheck`: asks a running DropMate on this host whether it is alive (`GET /healthz`), for the
/// image's `HEALTHCHECK` and compose, where the slim image has no curl. Exits 0 when it answers 200 in time.
struct HealthcheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "healthcheck",
        abstract: "Exit 0 if the DropMate process on this host answers GET /healthz with 200, else 1.",
        discussion:
            "The port comes from --port, else PORT (the server's), else 8080. A worker serves /healthz on METRICS_PORT: pass --port for it."
    )

    @Option(help: "The port to ask (default: env PORT, else 8080).") var port: Int?
    @Option(help: "The host to ask.") var host: String = "127.0.0.1"
    @Option(help: "Seconds to wait for the answer.") var timeout: Int = 3

    func validate() throws {
        guard timeout > 0, timeout <= 60 else { throw ValidationError("--timeout must be 1 to 60 seconds") }
        if let port, !(1...65_535).contains(port) { throw ValidationError("--port must be 1 to 65535") }
        if port == nil, let env = ProcessInfo.processInfo.environment["PORT"],
            Int(env).map({ (1...65_535).contains($0) }) != true
        {
            throw ValidationError("PORT must be a port number, not \(env.prefix(20))")
        }
    }

    func run() async throws {
        let port = port ?? ProcessInfo.processInfo.environment["PORT"].flatMap(Int.init) ?? 8080
        let url = "http://\(host.contains(":") ? "[\(host)]" : host):\(port)/healthz"
        do {
            let response = try await HTTPClient.shared.execute(
                HTTPClientRequest(url: url), timeout: .seconds(Int64(timeout)))
            guard response.status == .ok else {
                Console.fail("healthcheck: \(url) answered \(response.status.code)")
                throw ExitCode.failure
            }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            Console.fail("healthcheck: \(url) did not answer: \(error)")
            throw ExitCode.failure
        }
    }
}
