import DropMateCore
import DropMateEngine
import DropMateRedis
import DropMateStorage
import DropMateTelemetry
import Foundation
import HTTPTypes
import Hummingbird

/// `/healthz`, `/readyz`, and in dev mode on loopback `/dev/outbox` (the pushes a real WeChat account would deliver,
/// `?openid=…&after=ID&limit=N`, a page at a time; `X-Next-After` says where the next page starts).
struct OpsRoutes: Sendable {
    let backend: any SQLBackend
    /// Production (PostgreSQL) stays ready on a newer, additively migrated schema during a rolling deploy.
    let acceptsNewerSchema: Bool
    let queue: SQLJobQueue
    let redis: RedisClient?
    /// Serve `/dev/outbox`: only with no AppSecret and listening on loopback alone (`AppConfig.servesDevOutbox`).
    let devOutbox: Bool

    func add(to router: Router<BasicRequestContext>) {
        router.get("/healthz") { request, _ in Self.health(accepting: request.headers[.accept]) }
        router.get("/readyz") { _, _ in
            do {
                let version = try await Migrations.currentVersion(backend)
                guard version == Migrations.latest || (acceptsNewerSchema && version > Migrations.latest) else {
                    return WeChatRoutes.plain(
                        "schema version \(version), expected \(Migrations.latest)", status: .serviceUnavailable)
                }
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
        guard devOutbox else { return }
        router.get("/dev/outbox") { request, _ in
            let openID = request.uri.queryParameters.get("openid").map { String($0) }
            let after = max(request.uri.queryParameters.get("after", as: Int64.self) ?? 0, 0)
            let limit = min(
                max(request.uri.queryParameters.get("limit", as: Int.self) ?? Self.outboxPage, 1), Self.outboxPage)
            var entries: [OutboxEntry] = []
            let jobs = try await queue.jobs(kind: PushJob.kind, after: after, limit: limit)
            for job in jobs {
                guard let push = try? PushJob(payload: job.payload), openID == nil || push.openID == openID else {
                    continue
                }
                entries.append(OutboxEntry(id: job.id, openID: push.openID, message: push.message))
            }
            let data = try JSONEncoder().encode(entries)
            var headers: HTTPFields = [.contentType: "application/json"]
            // A full page: more may follow after the last push looked at (whether or not it was this openid's).
            if jobs.count == limit, let last = jobs.last { headers[Self.nextAfter] = "\(last.id)" }
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: Array(data))))
        }
    }

    /// `/healthz`: "ok" (or `{"status":"ok","version":…}` to a client that asks for JSON), with the release in a
    /// `DropMate-Version` header either way, so a probe, an operator's curl and a dashboard each read it their way.
    static func health(accepting accept: String?) -> Response {
        var response: Response
        if accept?.contains("application/json") == true {
            let body = #"{"status":"ok","version":"\#(DropMateVersion.current)"}"#
            response = Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: body)))
        } else {
            response = WeChatRoutes.plain("ok")
        }
        response.headers[versionHeader] = DropMateVersion.current
        return response
    }

    /// The release answering (`DropMateVersion`).
    static let versionHeader = HTTPField.Name("DropMate-Version")!

    /// The most pushes one `/dev/outbox` request looks at (`limit` may ask for fewer).
    static let outboxPage = 1000
    /// Where the next page starts (`?after=`), sent when this page was full.
    static let nextAfter = HTTPField.Name("X-Next-After")!

    struct OutboxEntry: Codable {
        var id: Int64
        var openID: String
        var message: OutgoingMessage
    }
}
