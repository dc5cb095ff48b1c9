import Foundation
import Testing

/// Every golden chat in `conversations/` played straight into the engine: the customer's messages go to
/// `ConversationEngine.answer` as the webhook maps them, with no signature, XML, encryption or HTTP, so a change to the
/// machine is checked quickly (`swift test --filter EngineTranscriptTests`). `TranscriptTests` plays the same files
/// through the signed webhook; between them they show the transport adds and loses nothing.
///
/// What differs from the webhook runner, and why no file needs skipping:
/// - `@mode` lines are ignored: encryption belongs to the transport.
/// - Directives that are HTTP in production (the staff API, pages and confirmation links, the couriers' app, WeChat
///   Pay's callbacks) still go over loopback HTTP to the same app, as they must to mean what they say.
/// - Recording (DROPMATE_RECORD=1) is the webhook runner's: this suite then does nothing.
@Suite struct EngineTranscriptTests {
    @Test("a transcript plays the same straight into the engine", arguments: TranscriptTests.files)
    func transcriptPlaysStraightIntoTheEngine(_ file: String) async throws {
        guard !TranscriptTests.recording else { return }
        let path = "\(TranscriptTests.root)/conversations/\(file)"
        let transcript = try Transcript(path: path)
        #expect(!transcript.steps.isEmpty, "\(file) has no steps")
        var runner = TranscriptRunner(transcript: transcript)
        runner.straightIntoEngine = true
        for mismatch in runner.compare(try await runner.run()) {
            Issue.record(
                Comment(rawValue: "conversations/\(file):\(mismatch.line) (engine runner): \(mismatch.message)"),
                sourceLocation: SourceLocation(
                    fileID: "DropMate/\(file)", filePath: path, line: mismatch.line, column: 1)
            )
        }
    }
}
