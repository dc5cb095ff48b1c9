import DropMateCore
import Synchronization
import Testing

@testable import DropMateApp
@testable import DropMateEngine

/// Requests waiting on one message's work, each with its own deadline, under the shared deadline timer.
@Suite struct MessageMemoryTests {
    /// Work that finishes when the test says so.
    final class Gate: Sendable {
        private let waiting = Mutex<CheckedContinuation<Void, Never>?>(nil)
        private let opened = Mutex(false)

        func wait() async {
            await withCheckedContinuation { continuation in
                let openAlready = opened.withLock { opened in
                    if !opened { waiting.withLock { $0 = continuation } }
                    return opened
                }
                if openAlready { continuation.resume() }
            }
        }

        func open() {
            let continuation = opened.withLock { opened in
                opened = true
                return waiting.withLock { waiting in
                    defer { waiting = nil }; return waiting
                }
            }
            continuation?.resume()
        }
    }

    /// What was pushed instead of answered.
    final class Pushes: Sendable {
        private let texts = Mutex<[String]>([])
        func append(_ text: String) { texts.withLock { $0.append(text) } }
        var all: [String] { texts.withLock { $0 } }
    }

    enum Outcome: Equatable, Sendable {
        case reply(String)
        case gaveUp, answeredBefore
    }

    static func request(
        _ handled: MessageMemory, key: String, deadline: Duration, gate: Gate, pushed: Pushes
    ) async throws -> Outcome {
        let wait = try await handled.reply(
            for: key, deadline: deadline, now: { 1_800_000_000 },
            work: {
                await gate.wait(); return .fresh(.text("the reply"))
            },
            push: { message in if case .text(let text) = message { pushed.append(text) } }
        )
        switch wait {
        case .finished(let result, _):
            guard case .text(let text)? = result.reply else { return .reply("") }
            return .reply(text)
        case .late: return .gaveUp
        case .answeredBefore: return .answeredBefore
        }
    }

    @Test func eachWaiterGivesUpAtItsOwnDeadlineAndTheOthersStillGetTheReply() async throws {
        let handled = MessageMemory(capacity: 100, horizon: 0)
        let gate = Gate()
        let pushed = Pushes()
        let started = ContinuousClock.now
        // The first request waits long; a retry with a shorter deadline arrives after it, so the timer set
        // for the first must be brought forward.
        // The long deadline is far from the short one, so a loaded machine's late timers cannot blur the two.
        async let long = Self.request(handled, key: "m1", deadline: Duration.seconds(30), gate: gate, pushed: pushed)
        try await Task.sleep(for: .milliseconds(20))
        let short = try await Self.request(
            handled, key: "m1", deadline: Duration.milliseconds(100), gate: gate, pushed: pushed)
        let shortTook = ContinuousClock.now - started
        #expect(short == .gaveUp)
        #expect(shortTook >= .milliseconds(100) && shortTook < .seconds(15), "gave up after \(shortTook)")
        gate.open()
        #expect(try await long == .reply("the reply"))
        #expect(pushed.all.isEmpty, "someone still waited, so nothing is pushed")
    }

    @Test func whenEveryWaiterGaveUpTheReplyIsPushedOnceAndLaterRetriesGetSuccess() async throws {
        let handled = MessageMemory(capacity: 100, horizon: 0)
        let gate = Gate()
        let pushed = Pushes()
        #expect(
            try await Self.request(handled, key: "m2", deadline: Duration.milliseconds(50), gate: gate, pushed: pushed)
                == .gaveUp)
        gate.open()
        let deadline = ContinuousClock.now + .seconds(5)
        while pushed.all.isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(pushed.all == ["the reply"])
        // Memory now knows the key as answered: a retry is sent to the store for the recorded answer.
        #expect(
            try await Self.request(handled, key: "m2", deadline: Duration.seconds(1), gate: gate, pushed: pushed)
                == .answeredBefore)
    }

    @Test func theTimerKeepsServingLaterDeadlinesAfterItFires() async throws {
        let handled = MessageMemory(capacity: 100, horizon: 0)
        let pushed = Pushes()
        // Three messages stuck in turn: each fire of the timer must set it again for the next deadline.
        let gates = (0..<3).map { _ in Gate() }
        async let first = Self.request(
            handled, key: "a", deadline: Duration.milliseconds(50), gate: gates[0], pushed: pushed)
        async let second = Self.request(
            handled, key: "b", deadline: Duration.milliseconds(150), gate: gates[1], pushed: pushed)
        async let third = Self.request(
            handled, key: "c", deadline: Duration.milliseconds(300), gate: gates[2], pushed: pushed)
        let outcomes: [Outcome] = try await [first, second, third]
        #expect(outcomes == [.gaveUp, .gaveUp, .gaveUp])
        for gate in gates { gate.open() }
    }
}
