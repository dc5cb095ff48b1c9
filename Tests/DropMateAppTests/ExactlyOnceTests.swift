import DropMateCore
import DropMateWeChat
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DropMateApp
@testable import DropMateEngine

/// WeChat retries must never repeat an effect: concurrent retries, retries after a restart, replies that miss the window.
@Suite struct ExactlyOnceTests {
    static func message(_ text: String, id: String, at time: Int64, from user: String = "o_a") -> InboundMessage {
        InboundMessage(
            toUserName: TestAccount.accountID, fromUserName: user, createTime: time,
            kind: .text(content: text, msgID: id))
    }

    /// Sends `message` and returns the reply's text ("" for success).
    static func send(
        _ message: InboundMessage, to client: some TestClientProtocol, at time: Int64, nonce: String
    ) async throws -> String {
        let signer = try WeChatClientSigner(token: TestAccount.token, appID: TestAccount.appID, encodingAESKey: nil)
        let request = signer.request(for: message, mode: .plaintext, timestamp: time, nonce: nonce)
        let response = try await client.execute(
            uri: "/wechat?\(request.query)", method: .post, body: ByteBuffer(string: request.body))
        guard let reply = try signer.openReply(Array(response.body.readableBytesView)),
            case .text(let text) = reply.content
        else { return "" }
        return text
    }

    @Test func concurrentRetriesOfTheOrderingMessageMakeOneOrder() async throws {
        let app = try await TestApp.make()
        let now = app.clock.now
        try await app.live { client in
            _ = try await Self.send(Self.message("2 份牛肉面", id: "1", at: now), to: client, at: now, nonce: "1")
            _ = try await Self.send(Self.message("黄浦区人民大道200号", id: "2", at: now), to: client, at: now, nonce: "2")
            let phone = Self.message("13800138000", id: "3", at: now)
            let replies = try await withThrowingTaskGroup(of: String.self) { group in
                for attempt in 0..<12 {
                    group.addTask { try await Self.send(phone, to: client, at: now, nonce: "r\(attempt)") }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(Set(replies).count == 1 && replies[0].contains("订单 #1001"), "\(Set(replies))")
            #expect(try await app.dependencies.engine.order(id: 1001) != nil)
            #expect(try await app.dependencies.engine.order(id: 1002) == nil)
        }
    }

    @Test func aRetryAfterARestartGetsTheSameReplyAndNoSecondOrder() async throws {
        let clock = TestClock(TestAccount.start)
        let first = try await TestApp.make(clock: clock)
        let directory = first.directory
        let now = clock.now
        let phone = Self.message("13800138000", id: "3", at: now)
        let original = try await buildApplication(first.dependencies, runWorker: false).test(.live) { client in
            _ = try await Self.send(Self.message("2 份牛肉面", id: "1", at: now), to: client, at: now, nonce: "1")
            _ = try await Self.send(Self.message("黄浦区人民大道200号", id: "2", at: now), to: client, at: now, nonce: "2")
            return try await Self.send(phone, to: client, at: now, nonce: "3")
        }
        await first.shutdown(keepingFiles: true)
        clock.advance(5)
        let second = try await TestApp.make(clock: clock, directory: directory)
        try await second.live { client in
            let retried = try await Self.send(phone, to: client, at: clock.now, nonce: "4")
            #expect(retried == original && original.contains("#1001"))
            let next = try await Self.send(
                Self.message("确认", id: "4", at: clock.now), to: client, at: clock.now, nonce: "5")
            #expect(next.contains("#1001 已确认"))
            #expect(try await second.dependencies.engine.order(id: 1002) == nil)
        }
    }

    @Test func aReplyThatMissesTheWindowIsPushedInsteadAndRetriesGetSuccess() async throws {
        var app = try await TestApp.make { $0.replyDeadline = .milliseconds(100) }
        let dependencies = app.dependencies
        // The real store, made slow: each commit takes longer than the reply deadline.
        app.dependencies.engine = ConversationEngine(
            store: SlowStore(base: dependencies.store, commitDelay: .milliseconds(500)),
            catalog: dependencies.engine.catalog,
            renderer: dependencies.renderer, clock: dependencies.clock, logger: dependencies.logger
        )
        let now = app.clock.now
        let queue = dependencies.queue
        try await app.live { client in
            // Starting a draft changes state, so its reply waits for the (slow) commit.
            let menu = Self.message("2 份牛肉面", id: "42", at: now)
            #expect(try await Self.send(menu, to: client, at: now, nonce: "1") == "")
            var pushes: [Job] = []
            let deadline = ContinuousClock.now + .seconds(5)
            while pushes.isEmpty, ContinuousClock.now < deadline {
                pushes = try await queue.jobs(kind: PushJob.kind)
                if pushes.isEmpty { try await Task.sleep(for: .milliseconds(20)) }
            }
            let push = try PushJob(payload: try #require(pushes.first).payload)
            guard case .text(let text) = push.message else { Issue.record("expected text"); return }
            #expect(push.openID == "o_a" && text.contains("牛肉面 ×2"))
            #expect(
                try await Self.send(menu, to: client, at: now, nonce: "2") == "", "the retry must not deliver it twice")
            #expect(try await queue.jobs(kind: PushJob.kind).count == 1)
        }
    }
}

/// The real store with slow commits, standing in for a database under stress.
struct SlowStore: ForwardingConversationStore {
    let base: any ConversationStore
    let commitDelay: Duration

    func commit(_ unit: UnitOfWork) async throws {
        try await Task.sleep(for: commitDelay)
        try await base.commit(unit)
    }
}
