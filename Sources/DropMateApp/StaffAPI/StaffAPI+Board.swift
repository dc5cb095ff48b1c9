import DropMateCore
import DropMateStorage
import Foundation

/// `/board/posts`: read the board, reply (the worker pushes the reply to the customer in WeChat), hide or remove.
extension StaffAPI {
    struct PostView: Encodable {
        var id: Int64
        var customer: String
        var orderId: Int64?
        var body: String
        var createdAt: String?
        var state: String
        var reason: String?
    }

    struct ReplyBody: Decodable { var body: String }
    struct Moderation: Decodable { var reason: String }

    func addBoardRoutes(_ api: APIRouter) {
        api.on(.get, "/board/posts", roles: Self.office) { call in
            let (page, perPage) = try Self.paging(call)
            let state = call.query("state")
            guard state == nil || ["visible", "hidden", "removed"].contains(state!) else { throw APIError.badRequest("\"state\" must be visible, hidden or removed") }
            let orderID = try call.query("order_id").map { try Validate.id($0, field: "order_id") }
            let posts = try await store.boardPosts(state: state, orderID: orderID, limit: perPage, offset: (page - 1) * perPage)
            return try .json(["items": posts.map(Self.view)])
        }
        api.on(.post, "/board/posts/:id/replies", roles: Self.office, idempotent: true, maxBody: 8192) { call in
            let id = try call.parameter("id")
            let body = try Validate.text(try APIJSON.decode(ReplyBody.self, from: call.body).body, field: "body", max: 500)
            guard let found = try await store.boardPost(id: id) else { throw APIError.notFound("post \(id)") }
            let now = clock()
            // In the customer's language only: the one their chat speaks, else their order's, else Chinese.
            var language = try await store.load(customer: found.post.customer, dedupeKey: nil).state?.language
            if language == nil, let orderID = found.post.orderID { language = try await store.order(id: orderID)?.language }
            guard let message = engine.renderer.render([.boardReply(body)], language: language ?? .zh, catalog: engine.catalog) else {
                throw APIError.badRequest("\"body\" is empty")
            }
            let push = try PushJob(openID: found.post.customer, message: message).job(key: "board-reply:\(id):\(now):\(call.identity.account.id)", now: now)
            try await store.reply(toPost: id, staffID: call.identity.account.id, body: body, push: push,
                                  audit: call.identity.audit("board.reply", target: "post:\(id)", after: String(body.prefix(80)), at: now), now: now)
            return try .json(["replied": true], status: .created)
        }
        for (action, state) in [("hide", "hidden"), ("remove", "removed")] {
            api.on(.post, "/board/posts/:id/\(action)", roles: Self.office, idempotent: true, maxBody: 4096) { call in
                let id = try call.parameter("id")
                let reason = try Validate.text(try APIJSON.decode(Moderation.self, from: call.body).reason, field: "reason", max: 200)
                let before = try await store.boardPost(id: id)
                guard try await store.moderate(postID: id, as: state, reason: reason,
                                               audit: call.identity.audit("board.\(action)", target: "post:\(id)", before: before?.moderation ?? "visible",
                                                                          after: "\(state): \(reason)", at: clock())) else { throw APIError.notFound("post \(id)") }
                guard let after = try await store.boardPost(id: id) else { throw APIError.notFound("post \(id)") }
                return try .json(Self.view(after))
            }
        }
    }

    static func view(_ post: SQLConversationStore.ModeratedPost) -> PostView {
        PostView(id: post.post.id, customer: post.post.customer, orderId: post.post.orderID, body: post.post.body,
                 createdAt: APIJSON.time(post.post.createdAt), state: post.moderation ?? "visible", reason: post.reason)
    }
}
