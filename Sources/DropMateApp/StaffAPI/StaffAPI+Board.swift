import DropMateCore
import DropMateEngine
import DropMateStorage
import Foundation
import HTTPTypes

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
    struct BoardSettings: Codable { var holdPosts: Bool }
    struct Moderation: Decodable { var reason: String }

    func addBoardRoutes(_ api: APIRouter) {
        api.on(
            .get, "/board/posts", roles: Self.office,
            doc: APIDoc(
                "Board posts, newest first.",
                query: [
                    .query("state", ["type": "string", "enum": ["visible", "held", "hidden", "removed", "rejected"]]),
                    .query("order_id", ["type": "integer", "minimum": 1]),
                    .page,
                    .perPage,
                ],
                answer: .ok("Posts.", "Items"))
        ) { call in
            let (page, perPage) = try Self.paging(call)
            let state = call.query("state")
            guard state == nil || Self.postStates.contains(state!) else {
                throw APIError.badRequest("\"state\" must be visible, held, hidden, removed or rejected")
            }
            let orderID = try call.query("order_id").map { try Validate.id($0, field: "order_id") }
            let posts = try await reads.boardPosts(
                state: state, orderID: orderID, limit: perPage, offset: (page - 1) * perPage)
            return try .json(["items": posts.map { view($0) }])
        }
        api.on(
            .post, "/board/posts/:id/replies", roles: Self.office, idempotent: true, maxBody: 8192,
            doc: APIDoc(
                "Reply to a post; the worker pushes the reply to the customer in WeChat.",
                body: .json("Reply"),
                answer: .created("Replied."),
                errors: [404])
        ) { call in
            let id = try call.parameter("id")
            let body = try Validate.text(
                try APIJSON.decode(ReplyBody.self, from: call.body).body, field: "body", max: 500)
            guard let found = try await store.boardPost(id: id) else { throw APIError.notFound("post \(id)") }
            let now = clock()
            // In the customer's language only: the one their chat speaks, else their order's, else Chinese.
            var language = try await store.language(ofCustomer: found.post.customer)
            if language == nil, let orderID = found.post.orderID {
                language = try await store.order(id: orderID)?.language
            }
            guard
                let message = engine.renderer.render(
                    [.boardReply(body)], language: language ?? .zh, catalog: engine.catalog)
            else {
                throw APIError.badRequest("\"body\" is empty")
            }
            let push = try PushJob(openID: found.post.customer, message: message).job(
                key: "board-reply:\(id):\(now):\(call.identity.account.id)", now: now)
            try await store.reply(
                toPost: id, staffID: call.identity.account.id, body: body, push: push,
                audit: call.identity.audit(
                    "board.reply", target: "post:\(id)", after: String(body.prefix(80)), at: now), now: now)
            return try .json(["replied": true], status: .created)
        }
        api.on(
            .get, "/board/settings", roles: Self.office,
            doc: APIDoc(
                "Whether public board posts wait for review.",
                answer: .ok("The settings.", "BoardSettings"))
        ) { _ in try .json(BoardSettings(holdPosts: try await store.boardHoldsPosts())) }
        // Whether public posts wait for review before they show (a per-business setting; the console's toggle).
        let settingsDocs: [(HTTPRequest.Method, APIDoc)] = [
            (
                .put,
                APIDoc(
                    "Hold public posts for review from now on, or publish them at once again (posts already held stay held).",
                    body: .json("BoardSettings"), answer: .ok("The settings.", "BoardSettings"))
            ),
            (
                .patch,
                APIDoc(
                    "The same as PUT, as a JSON Merge Patch.", body: .mergePatch("BoardSettings"),
                    answer: .ok("The settings.", "BoardSettings"))
            ),
        ]
        for (method, doc) in settingsDocs {
            api.on(method, "/board/settings", roles: Self.office, idempotent: true, maxBody: 1024, doc: doc) { call in
                let wanted: Bool
                if method == .put {
                    wanted = try APIJSON.decode(BoardSettings.self, from: call.body).holdPosts
                } else {
                    let patch = try MergePatch.document(call.body, contentType: call.request.headers[.contentType])
                    switch patch["hold_posts"] {
                    case nil: wanted = try await store.boardHoldsPosts()
                    case let value as Bool: wanted = value
                    default: throw APIError.badRequest("\"hold_posts\" must be true or false")
                    }
                }
                let before = try await store.boardHoldsPosts()
                let now = clock()
                if wanted != before {
                    try await store.setBoardHoldsPosts(
                        wanted, now: now,
                        audit: call.identity.audit(
                            "board.settings", target: "board", before: #"{"hold_posts":\#(before)}"#,
                            after: #"{"hold_posts":\#(wanted)}"#, at: now))
                }
                return try .json(BoardSettings(holdPosts: wanted))
            }
        }
        // A post waiting for review: approve shows it on the board, reject keeps it off (with the reason, for staff).
        let reviews: [(String, String?, APIDoc)] = [
            (
                "approve", nil,
                APIDoc(
                    "Show a post that waits for review on the public board.", answer: .ok("The post.", "Post"),
                    errors: [404])
            ),
            (
                "reject", "rejected",
                APIDoc(
                    "Keep a post that waits for review off the board, with a reason (for staff; the customer is not told).",
                    body: .json("Moderation"), answer: .ok("The post.", "Post"), errors: [404])
            ),
        ]
        for (action, state, doc) in reviews {
            api.on(.post, "/board/posts/:id/\(action)", roles: Self.office, idempotent: true, maxBody: 4096, doc: doc) {
                call in
                let id = try call.parameter("id")
                var reason: String?
                if state != nil {
                    reason = try Validate.text(
                        try APIJSON.decode(Moderation.self, from: call.body).reason, field: "reason", max: 200)
                }
                guard let before = try await store.boardPost(id: id) else { throw APIError.notFound("post \(id)") }
                guard before.moderation == "held" else {
                    throw APIError.conflict(
                        "post \(id) is not waiting for review (it is \(before.moderation ?? "visible"))",
                        code: "not_held")
                }
                guard
                    try await store.moderate(
                        postID: id, as: state, reason: reason, onlyFrom: "held",
                        audit: call.identity.audit(
                            "board.\(action)", target: "post:\(id)", before: "held",
                            after: state.map { "\($0): \(reason ?? "")" } ?? "visible", at: clock()))
                else { throw APIError.conflict("post \(id) is no longer waiting for review", code: "not_held") }
                guard let after = try await store.boardPost(id: id) else { throw APIError.notFound("post \(id)") }
                return try .json(view(after))
            }
        }
        for (action, state, summary) in [
            ("hide", "hidden", "Hide a post from the public board, with a reason."),
            ("remove", "removed", "Remove a post, with a reason."),
        ] {
            api.on(
                .post, "/board/posts/:id/\(action)", roles: Self.office, idempotent: true, maxBody: 4096,
                doc: APIDoc(
                    summary,
                    body: .json("Moderation"),
                    answer: .ok("The post.", "Post"),
                    errors: [404])
            ) { call in
                let id = try call.parameter("id")
                let reason = try Validate.text(
                    try APIJSON.decode(Moderation.self, from: call.body).reason, field: "reason", max: 200)
                let before = try await store.boardPost(id: id)
                guard
                    try await store.moderate(
                        postID: id, as: state, reason: reason,
                        audit: call.identity.audit(
                            "board.\(action)", target: "post:\(id)", before: before?.moderation ?? "visible",
                            after: "\(state): \(reason)", at: clock()))
                else { throw APIError.notFound("post \(id)") }
                guard let after = try await store.boardPost(id: id) else { throw APIError.notFound("post \(id)") }
                return try .json(view(after))
            }
        }
    }

    static let postStates: Set<String> = ["visible", "held", "hidden", "removed", "rejected"]

    func view(_ post: ModeratedPost) -> PostView {
        PostView(
            id: post.post.id, customer: post.post.customer, orderId: post.post.orderID, body: post.post.body,
            createdAt: APIJSON.time(post.post.createdAt, utcOffset: utcOffset), state: post.moderation ?? "visible",
            reason: post.reason)
    }
}
