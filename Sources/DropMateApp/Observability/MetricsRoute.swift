import Hummingbird
import NIOCore
import Prometheus

/// `GET /metrics`: the registry in Prometheus text format, then the process metrics.
enum MetricsRoute {
    static func add<Context: RequestContext>(to router: Router<Context>, metrics: AppMetrics) {
        router.get("/metrics") { _, _ in response(metrics) }
    }

    static func response(_ metrics: AppMetrics) -> Response {
        var bytes: [UInt8] = []
        metrics.registry?.emit(into: &bytes)
        bytes.append(contentsOf: ProcessMetrics.text().utf8)
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
