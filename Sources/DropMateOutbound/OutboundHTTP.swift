import AsyncHTTPClient

/// The HTTP client outside services are called through: WeChat's API, WeChat Pay, SMS providers, map services and
/// S3-compatible storage.
///
/// There is no process-wide client: `AppDependencies` makes one and shuts it down in `AppDependencies.shutdown()`,
/// and a command that needs one without the rest (`dropmate wechat menu`) makes and shuts down its own.
public enum OutboundHTTP {
    /// A client for outside services: up to 64 connections per host (the worker runs 64 lanes), 5 s to connect, and
    /// no built-in client span, since every call opens its own (`Telemetry.outbound`). The caller shuts it down.
    public static func makeClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        configuration.timeout.connect = .seconds(5)
        configuration.tracing.tracer = nil
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }
}
