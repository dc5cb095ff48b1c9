import DropMateCore
import DropMateRedis
import DropMateStorage
import Foundation
import Hummingbird

/// `/healthz`, `/readyz`, and in dev mode `/dev/outbox` (the pushes a real WeChat account would deliver).
struct OpsRoutes: Sendable {
    let backend: any SQLBackend
    /// Production (PostgreSQL) stays ready on a newer, additively migrated schema during a rolling deploy.
    let acceptsNewerSchema: Bool
    let queue: SQLJobQueue
    let redis: RedisClient?
    let devMode: Bool

    func add(to router: Router<BasicRequestContext>) {
        router.get("/healthz") { _, _ in WeChatRoutes.plain("ok") }
        router.get("/readyz") { _, _ in
            do {
                let version = try await Migrations.currentVersion(backend)
                guard version == Migrations.latest || (acceptsNewerSchema && version > Migrations.latest) else { return WeChatRoutes.plain("schema version \(version), expected \(Migrations.latest)", status: .serviceUnavailable) }
            } catch {
                return WeChatRoutes.plain("database unreachable", status: .serviceUnavailable)
            }
            if let redis {
                guard (try? await redis.send(["PING"], timeout: .seconds(1))) == .status("PONG") else {
                    return WeChatRoutes.plain("redis unreachable", status: .serviceUnavailable)
                }
            }
            return WeChatRoutes.plain("ready")
        }
        guard devMode else { return }
        router.get("/dev/outbox") { request, _ in
            let openID = request.uri.queryParameters.get("openid").map { String($0) }
            let after = request.uri.queryParameters.get("after", as: Int64.self) ?? 0
            var entries: [OutboxEntry] = []
            for job in try await queue.jobs(kind: PushJob.kind, after: after) {
                guard let push = try? PushJob(payload: job.payload), openID == nil || push.openID == openID else { continue }
                entries.append(OutboxEntry(id: job.id, openID: push.openID, message: push.message))
            }
            let data = try JSONEncoder().encode(entries)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: Array(data))))
        }
    }

    struct OutboxEntry: Codable {
        var id: Int64
        var openID: String
        var message: OutgoingMessage
    }
}
