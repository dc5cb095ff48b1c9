import DropMateCore
import Synchronization
import Testing

@testable import DropMateApp
@testable import DropMateEngine

/// The one decision about WeChat's retries: which of memory, the coordinator and the database wins, in which order.
@Suite struct DuplicateCheckTests {
    static let first = OutgoingMessage.text("the first answer")
    static let answered = RecordedAnswer(reply: first)

    // MARK: Before the turn: work in flight and memory of answered messages

    @Test func theRequestThatStartedTheWorkGetsItsOwnOutcome() {
        var check = DuplicateCheck(coordinatorKeepsAnswers: false)
        #expect(
            check.memory(.finished(.fresh(Self.first), joined: false))
                == .answer(WebhookAnswer(reply: Self.first, outcome: .fresh)))
        check = DuplicateCheck(coordinatorKeepsAnswers: false)
        #expect(
            check.memory(.finished(.rateLimited(.text("slow down")), joined: false))
                == .answer(WebhookAnswer(reply: .text("slow down"), outcome: .rateLimited, isRetry: false)))
        check = DuplicateCheck(coordinatorKeepsAnswers: true)
        let replay = check.memory(.finished(.replayed(Self.answered), joined: false))
        #expect(
            replay == .answer(WebhookAnswer(reply: Self.first, outcome: .replayed, isRetry: true)),
            "the turn found it answered before")
    }

    @Test func aRequestThatJoinedWorkInFlightGetsTheFirstAnswerAsAReplay() {
        for result in [HandledResult.fresh(Self.first), .rateLimited(Self.first), .replayed(Self.answered)] {
            var check = DuplicateCheck(coordinatorKeepsAnswers: false)
            #expect(
                check.memory(.finished(result, joined: true))
                    == .answer(WebhookAnswer(reply: Self.first, outcome: .replayed, isRetry: true)))
        }
    }

    @Test func aLateRequestIsLateAndARetryOnlyWhenItJoinedOrMemoryKnewIt() {
        var check = DuplicateCheck(coordinatorKeepsAnswers: false)
        #expect(
            check.memory(.late(joined: false)) == .answer(WebhookAnswer(reply: nil, outcome: .late, isRetry: false)))
        check = DuplicateCheck(coordinatorKeepsAnswers: false)
        #expect(check.memory(.late(joined: true)) == .answer(WebhookAnswer(reply: nil, outcome: .late, isRetry: true)))
        check = DuplicateCheck(coordinatorKeepsAnswers: true)
        #expect(check.memory(.answeredBefore) == .askAgainIgnoringMemory)
        #expect(check.memory(.late(joined: false)) == .answer(WebhookAnswer(reply: nil, outcome: .late, isRetry: true)))
    }

    @Test func memorysHitIsOnlyAHintThatTheDatabaseConfirms() {
        var check = DuplicateCheck(coordinatorKeepsAnswers: false)
        #expect(check.trustsMemory)
        #expect(
            check.memory(.answeredBefore) == .lookUpStoredAnswer, "memory keeps no replies: the database has the answer"
        )
        #expect(check.stored(Self.answered) == .answer(WebhookAnswer(reply: Self.first, outcome: .replayed)))
        check = DuplicateCheck(coordinatorKeepsAnswers: false)
        _ = check.memory(.answeredBefore)
        #expect(
            check.stored(RecordedAnswer(reply: nil)) == .answer(WebhookAnswer(reply: nil, outcome: .replayed)),
            "a reply that went out as a push is replayed as success")
    }

    @Test func aHitTheDatabaseDoesNotConfirmIsHandledWithMemoryIgnored() {
        var check = DuplicateCheck(coordinatorKeepsAnswers: false)
        _ = check.memory(.answeredBefore)
        #expect(check.stored(nil) == .askAgainIgnoringMemory, "two keys sharing a hash: the message is new")
        #expect(!check.trustsMemory)
        // Counted as a retry still (memory recognised it), but the machine's answer is this turn's.
        #expect(
            check.memory(.finished(.fresh(.text("new")), joined: false))
                == .answer(WebhookAnswer(reply: .text("new"), outcome: .fresh, isRetry: true)))
    }

    @Test func whereTheCoordinatorKeepsAnswersAHitGoesStraightToTheTurn() {
        var check = DuplicateCheck(coordinatorKeepsAnswers: true)
        #expect(
            check.memory(.answeredBefore) == .askAgainIgnoringMemory,
            "Redis has the answer: the customer's turn reads it")
        #expect(!check.trustsMemory)
        #expect(
            check.memory(.finished(.replayed(Self.answered), joined: false))
                == .answer(WebhookAnswer(reply: Self.first, outcome: .replayed)))
    }

    // MARK: In the customer's turn: the coordinator's status, then the database

    /// Counts whether memory was asked (it takes a lock: asked only when it decides).
    final class Asked: Sendable {
        let count = Mutex(0)
        func memory(_ answer: Bool) -> Bool { count.withLock { $0 += 1 }; return answer }
        var times: Int { count.withLock { $0 } }
    }

    @Test func theCoordinatorsAnswerReplaysAndItsNewRunsWithoutAskingAnyoneElse() {
        let asked = Asked()
        for cached in [true, false] {
            for alone in [true, false] {
                #expect(
                    DuplicateCheck.turnStarts(
                        status: .answered(Self.answered), stateCached: cached, coordinatorServesAlone: alone,
                        memorySawEverything: asked.memory(false)) == .replay(Self.answered))
                #expect(
                    DuplicateCheck.turnStarts(
                        status: .new, stateCached: cached, coordinatorServesAlone: alone,
                        memorySawEverything: asked.memory(false)) == .run)
                #expect(
                    DuplicateCheck.turnStarts(
                        status: nil, stateCached: cached, coordinatorServesAlone: alone,
                        memorySawEverything: asked.memory(false)) == .run, "a turn for no message")
            }
        }
        #expect(asked.times == 0)
    }

    @Test func anUnknownMessageGoesToTheDatabaseUnlessThisProcessAloneSawEverythingSinceBeforeIt() {
        let asked = Asked()
        // Without a cached state the state is loaded anyway: its record comes in the same query.
        #expect(
            DuplicateCheck.turnStarts(
                status: .unknown, stateCached: false, coordinatorServesAlone: true,
                memorySawEverything: asked.memory(true)) == .loadStateAndAnswer)
        #expect(asked.times == 0)
        #expect(
            DuplicateCheck.turnStarts(
                status: .unknown, stateCached: true, coordinatorServesAlone: true,
                memorySawEverything: asked.memory(true)) == .run)
        #expect(
            DuplicateCheck.turnStarts(
                status: .unknown, stateCached: true, coordinatorServesAlone: true,
                memorySawEverything: asked.memory(false)) == .lookUpAnswer, "older than memory's horizon")
        #expect(asked.times == 2)
        // Shared (Redis's marker of a turn that stored no answer): this process's memory cannot speak for the others.
        #expect(
            DuplicateCheck.turnStarts(
                status: .unknown, stateCached: true, coordinatorServesAlone: false,
                memorySawEverything: asked.memory(true)) == .lookUpAnswer)
        #expect(asked.times == 2)
    }

    @Test func theDatabasesRecordHasTheLastWord() {
        #expect(DuplicateCheck.storeSays(Self.answered) == .replay(Self.answered))
        #expect(DuplicateCheck.storeSays(RecordedAnswer(reply: nil)) == .replay(RecordedAnswer(reply: nil)))
        #expect(DuplicateCheck.storeSays(nil) == .run)
    }
}

/// The engine answers with values: each outcome a caller switches on, as the webhook does.
@Suite struct EngineAnswerTests {
    @Test func aRetryIsAReplayOfTheFirstAnswerAndRunsNothing() async throws {
        let app = try await TestApp.make()
        let engine = app.dependencies.engine
        let menu = IncomingChat(customer: "o_a", createTime: app.clock.now, dedupeKey: "o_a:1", input: .text("2 份牛肉面"))
        let first = try await engine.handle(menu, deadline: .seconds(60))
        #expect(first.outcome == .fresh && !first.isRetry)
        guard case .text(let text)? = first.reply else { Issue.record("expected a text reply"); return }
        #expect(text.contains("牛肉面 ×2"), "\(text)")
        let again = try await engine.handle(menu, deadline: .seconds(60))
        #expect(again == WebhookAnswer(reply: first.reply, outcome: .replayed, isRetry: true))
        // The same MsgId from another customer is another message.
        let other = try await engine.handle(
            IncomingChat(customer: "o_b", createTime: app.clock.now, dedupeKey: "o_b:1", input: .text("2 份牛肉面")),
            deadline: .seconds(60))
        #expect(other.outcome == .fresh)
        await app.shutdown()
    }

    @Test func aRetryAfterARestartIsReplayedFromTheDatabase() async throws {
        let first = try await TestApp.make()
        let menu = IncomingChat(
            customer: "o_a", createTime: first.clock.now, dedupeKey: "o_a:1", input: .text("2 份牛肉面"))
        let answered = try await first.dependencies.engine.handle(menu, deadline: .seconds(60))
        await first.shutdown(keepingFiles: true)
        let second = try await TestApp.make(clock: first.clock, directory: first.directory)
        let again = try await second.dependencies.engine.handle(menu, deadline: .seconds(60))
        #expect(again == WebhookAnswer(reply: answered.reply, outcome: .replayed))
        await second.shutdown()
    }

    @Test func aMessageOverTheRateLimitIsAnsweredRateLimited() async throws {
        let app = try await TestApp.make(extra: ["DROPMATE_RATE_LIMIT": "1"])
        let engine = app.dependencies.engine
        let hello = try await engine.handle(
            IncomingChat(customer: "o_a", createTime: app.clock.now, dedupeKey: "o_a:1", input: .text("菜单")))
        #expect(hello.outcome == .fresh)
        let flood = IncomingChat(customer: "o_a", createTime: app.clock.now, dedupeKey: "o_a:2", input: .text("2 份牛肉面"))
        let limited = try await engine.handle(flood, deadline: .seconds(60))
        guard case .text(let text)? = limited.reply else { Issue.record("expected a text reply"); return }
        #expect(limited.outcome == .rateLimited && !limited.isRetry && text.contains("太快"), "\(limited)")
        await app.dependencies.store.flush()  // the slow-down answer is written behind (nothing to lose if it is not)
        #expect(
            try await engine.handle(flood, deadline: .seconds(60))
                == WebhookAnswer(reply: limited.reply, outcome: .replayed))
        await app.shutdown()
    }

    @Test func aReplyNotReadyInTimeIsLateIsPushedAndARetryThenGetsSuccess() async throws {
        let app = try await TestApp.make()
        let dependencies = app.dependencies
        let engine = ConversationEngine(
            store: SlowStore(base: dependencies.store, commitDelay: .milliseconds(500)),
            catalog: dependencies.engine.catalog,
            renderer: dependencies.renderer, clock: dependencies.clock, logger: dependencies.logger)
        let menu = IncomingChat(customer: "o_a", createTime: app.clock.now, dedupeKey: "o_a:42", input: .text("2 份牛肉面"))
        #expect(
            try await engine.handle(menu, deadline: .milliseconds(100)) == WebhookAnswer(reply: nil, outcome: .late))
        let other = IncomingChat(customer: "o_b", createTime: app.clock.now, dedupeKey: "o_b:1", input: .text("2 份牛肉面"))
        #expect(
            try await engine.handle(other, deadline: .milliseconds(100)) == WebhookAnswer(reply: nil, outcome: .late))
        var pushedTo: Set<String> = []
        let deadline = ContinuousClock.now + .seconds(10)
        while pushedTo.count < 2, ContinuousClock.now < deadline {
            pushedTo = Set(
                try await dependencies.queue.jobs(kind: PushJob.kind).map { try PushJob(payload: $0.payload).openID })
            if pushedTo.count < 2 { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(pushedTo == ["o_a", "o_b"], "each late reply went out as a push")
        #expect(
            try await engine.handle(menu, deadline: .seconds(60)) == WebhookAnswer(reply: nil, outcome: .replayed),
            "the reply went out as a push: a retry gets success")
        await app.shutdown()
    }
}
