import Crypto
import DropMateTelemetry
import Hummingbird
import NIOCore
import Prometheus

/// `GET /metrics`: the registry in Prometheus text format, then the process metrics.
///
/// Business counters (orders, messages, pushes) are nobody's business outside: the serving port, which the Ingress
/// exposes, has `/metrics` only behind `METRICS_TOKEN`; the metrics port (`METRICS_PORT`, never routed by the
/// Ingress, open to Prometheus alone by NetworkPolicy) serves it plainly.
enum MetricsRoute {
    /// Adds `/metrics`; with `bearer`, a request without `Authorization: Bearer <bearer>` gets 401.
    static func add<Context: RequestContext>(to router: Router<Context>, metrics: AppMetrics, bearer: String? = nil) {
        guard let bearer else {
            router.get("/metrics") { _, _ in response(metrics) }
            return
        }
        let expected = SHA256.hash(data: Array("Bearer \(bearer)".utf8))
        router.get("/metrics") { request, _ in
            // Compared as digests, so the time taken says nothing about the token.
            let presented = SHA256.hash(data: Array((request.headers[.authorization] ?? "").utf8))
            guard presented == expected else {
                return Response(
                    status: .unauthorized, headers: [.wwwAuthenticate: "Bearer"],
                    body: .init(byteBuffer: ByteBuffer(string: "metrics need a bearer token\n")))
            }
            return response(metrics)
        }
    }

    static func response(_ metrics: AppMetrics) -> Response {
        var bytes: [UInt8] = []
        metrics.registry?.emit(into: &bytes)
        bytes.append(contentsOf: ProcessMetrics.text().utf8)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
