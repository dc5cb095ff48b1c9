import DropMateApp
import DropMateCore
import DropMateFakes
import DropMateWeChat
import Foundation
import Hummingbird
import HummingbirdTesting

/// Plays a transcript against a fresh DropMate: through the real signed webhook over HTTP, or (`straightIntoEngine`)
/// with the customer's messages handed to the engine itself. Everything else a transcript does (staff, pages, couriers'
/// app, WeChat Pay's callbacks) goes over HTTP either way, as it does in production.
struct TranscriptRunner {
    struct Outcome {
        var reply: [String]?
        var pushes: [[String]]
    }

    struct Mismatch {
        var line: Int
        var message: String
    }

    let transcript: Transcript
    /// Forces every message into this mode, whatever `@mode` says.
    var forcedMode: WeChatWebhook.Mode?
    /// Runs on this PostgreSQL database instead of the embedded SQLite default.
    /// Extra configuration (DATABASE_URL, REDIS_URL…) for the app under test.
    var environment: [String: String] = [:]
    /// Messages go straight into `ConversationEngine.answer` (the engine runner): `@mode` lines then mean nothing.
    var straightIntoEngine = false

    /// What each step produced, by the step's line. A file with `@payment` runs against a fake WeChat Pay, one with
    /// `@maps` against a fake map service.
    func run() async throws -> [Int: Outcome] {
        let provider = transcript.steps.lazy.compactMap { step -> String? in
            if case .maps(let provider) = step.action { provider } else { nil }
        }.first
        guard let provider else { return try await runPaying(environment: environment, maps: nil) }
        let maps = FakeMaps()
        let environment = self.environment
        return try await maps.serve { baseURL in
            try await runPaying(
                environment: environment.merging([
                    "MAPS_PROVIDER": provider, "MAPS_API_KEY": maps.key, "MAPS_API_BASE_URL": baseURL,
                ]) { $1 }, maps: maps)
        }
    }

    func runPaying(environment: [String: String], maps: FakeMaps?) async throws -> [Int: Outcome] {
        let mode = transcript.steps.lazy.compactMap { step -> String? in
            if case .payment(let mode) = step.action { mode } else { nil }
        }.first
        guard let mode else {
            return try await play(clock: TestClock(TestAccount.start), environment: environment, pay: nil, maps: maps)
        }
        let clock = TestClock(TestAccount.start)
        let fake = try PayTestKeys.fake(clock: clock)
        return try await fake.serve { baseURL in
            try await play(
                clock: clock,
                environment: environment.merging(try PayTestKeys.environment(fake, baseURL: baseURL, mode: mode)) {
                    $1
                }, pay: fake, maps: maps)
        }
    }

    func play(
        clock: TestClock, environment: [String: String], pay: FakeWeChatPay?, maps: FakeMaps?
    ) async throws -> [Int: Outcome] {
        let app = try await TestApp.make(clock: clock, extra: environment)
        defer { Task { await app.shutdown() } }
        let signer = try WeChatClientSigner(
            token: TestAccount.token, appID: TestAccount.appID, encodingAESKey: TestAccount.encodingAESKey)
        let application = buildApplication(app.dependencies, runWorker: false)
        return try await application.test(.live) { client in
            var session = Session(app: app, signer: signer, client: client, mode: forcedMode ?? .plaintext)
            session.pay = pay
            session.maps = maps
            session.straightIntoEngine = straightIntoEngine
            var outcomes: [Int: Outcome] = [:]
            for step in transcript.steps {
                if case .mode = step.action, forcedMode != nil || straightIntoEngine { continue }
                let reply = try await session.perform(step.action)
                outcomes[step.line] = Outcome(reply: reply, pushes: try await session.newPushes())
            }
            return outcomes
        }
    }

    /// Differences between the transcript's expectations and `outcomes`.
    func compare(_ outcomes: [Int: Outcome]) -> [Mismatch] {
        var mismatches: [Mismatch] = []
        for step in transcript.steps {
            guard let outcome = outcomes[step.line] else { continue }
            if let actual = outcome.reply, actual != (step.expectedReply ?? []) {
                mismatches.append(
                    Mismatch(
                        line: step.line,
                        message: "reply differs\n"
                            + Self.diff(expected: step.expectedReply ?? [], actual: actual, marker: "<")))
            } else if outcome.reply == nil, let expected = step.expectedReply {
                mismatches.append(
                    Mismatch(
                        line: step.line,
                        message: "expected a reply, this action gives none\n"
                            + expected.map { "< \($0)" }.joined(separator: "\n")))
            }
            if outcome.pushes != step.expectedPushes {
                let expected = step.expectedPushes.map { $0.joined(separator: "\n") },
                    actual = outcome.pushes.map { $0.joined(separator: "\n") }
                mismatches.append(
                    Mismatch(
                        line: step.line,
                        message: "pushes differ\n" + Self.diff(expected: expected, actual: actual, marker: "!")))
            }
        }
        return mismatches
    }

    static func diff(expected: [String], actual: [String], marker: String) -> String {
        var text = ""
        for index in 0..<max(expected.count, actual.count) {
            let e = index < expected.count ? expected[index] : nil, a = index < actual.count ? actual[index] : nil
            if e == a {
                text += "  \(marker) \(e!)\n"
            } else {
                if let e { text += "- \(marker) \(e)\n" }
                if let a { text += "+ \(marker) \(a)\n" }
            }
        }
        return text
    }

    /// The transcript's text with every `<` and `!` line replaced by what actually happened (record mode).
    func recorded(_ outcomes: [Int: Outcome]) -> String {
        var output: [String] = []
        for (index, line) in transcript.lines.enumerated() {
            if line == "<" || line.hasPrefix("< ") || line == "!" || line.hasPrefix("! ") || line.hasPrefix("!! ") {
                continue
            }
            output.append(line)
            guard let outcome = outcomes[index + 1] else { continue }
            for replyLine in outcome.reply ?? [] { output.append(replyLine.isEmpty ? "<" : "< \(replyLine)") }
            for push in outcome.pushes {
                for (offset, pushLine) in push.enumerated() {
                    output.append(
                        offset == 0 && outcome.pushes.count > 1 && push != outcome.pushes.first!
                            ? "!! \(pushLine)" : (pushLine.isEmpty ? "!" : "! \(pushLine)"))
                }
            }
        }
        return output.joined(separator: "\n") + "\n"
    }
}
