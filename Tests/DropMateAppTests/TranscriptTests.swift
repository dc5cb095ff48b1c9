import DropMateWeChat
import Foundation
import Testing

/// Every golden chat in `conversations/` is played through the real signed webhook over HTTP.
/// Set DROPMATE_RECORD=1 to rewrite the expectations from what happens (review with `git diff`).
@Suite struct TranscriptTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let files = Transcript.all(root: root)
    static let recording = ProcessInfo.processInfo.environment["DROPMATE_RECORD"] == "1"

    @Test("a transcript plays as written", arguments: files)
    func transcriptPlaysAsWritten(_ file: String) async throws {
        try await play(file, mode: nil)
    }

    @Test("a transcript plays the same in safe (AES) mode", arguments: files)
    func transcriptPlaysTheSameEncrypted(_ file: String) async throws {
        guard !Self.recording else { return }
        try await play(file, mode: .safe)
    }

    @Test(
        "a transcript plays the same in production mode (PostgreSQL + Redis)",
        .enabled(
            if: PostgresTestDatabase.serverURL != nil && TestRedis.url != nil,
            "DATABASE_URL and REDIS_URL name no servers"),
        arguments: files)
    func transcriptPlaysTheSameInProductionMode(_ file: String) async throws {
        guard !Self.recording else { return }
        try await play(
            file, mode: nil,
            environment: ["DATABASE_URL": try await PostgresTestDatabase.create()].merging(TestRedis.environment()) {
                $1
            })
    }

    @Test func thereAreAtLeastTwentyFiveScenarios() {
        #expect(Self.files.count >= 25)
    }

    func play(_ file: String, mode: WeChatWebhook.Mode?, environment: [String: String] = [:]) async throws {
        let path = "\(Self.root)/conversations/\(file)"
        let transcript = try Transcript(path: path)
        #expect(!transcript.steps.isEmpty, "\(file) has no steps")
        let runner = TranscriptRunner(transcript: transcript, forcedMode: mode, environment: environment)
        let outcomes = try await runner.run()
        if Self.recording {
            try runner.recorded(outcomes).write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        for mismatch in runner.compare(outcomes) {
            Issue.record(
                Comment(rawValue: "conversations/\(file):\(mismatch.line): \(mismatch.message)"),
                sourceLocation: SourceLocation(
                    fileID: "DropMate/\(file)", filePath: path, line: mismatch.line, column: 1)
            )
        }
    }
}
