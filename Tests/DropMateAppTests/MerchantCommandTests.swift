import Foundation
import Testing

/// `dropmate merchant`: the real binary shows a merchant's rules, pauses and resumes it.
@Suite(.enabled(if: DropMateBinary.path != nil, "build the dropmate product first (swift build)"))
struct MerchantCommandTests {
    /// Runs the binary to its end on `directory` and returns its exit status and output (stdout, then stderr).
    static func dropmate(_ arguments: [String], directory: String) async throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: DropMateBinary.path!)
        process.arguments = arguments
        process.environment = [
            "PATH": "/usr/bin:/bin", "HOME": directory, "DROPMATE_DATA_DIR": directory, "LOG_LEVEL": "error",
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let done = AsyncStream<Void> { continuation in process.terminationHandler = { _ in continuation.finish() } }
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        for await _ in done {}
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func theCommandLineShowsPausesAndResumesAMerchant() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "dropmate-merchant-\(UUID().uuidString)"
        ).path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let shown = try await Self.dropmate(["merchant", "rules", "lanzhou"], directory: directory)
        #expect(
            shown.status == 0 && shown.output.contains("open around the clock")
                && shown.output.contains("radius: 10000 m") && shown.output.contains("now: open"),
            "\(shown.output)")
        let paused = try await Self.dropmate(["merchant", "pause", "lanzhou", "--minutes", "30"], directory: directory)
        #expect(paused.status == 0 && paused.output.contains("paused for 30 minutes"))
        #expect(
            try await Self.dropmate(["merchant", "lanzhou"], directory: directory).output.contains("now: paused until"))
        #expect(try await Self.dropmate(["merchant", "resume", "lanzhou"], directory: directory).status == 0)
        #expect(try await Self.dropmate(["merchant", "lanzhou"], directory: directory).output.contains("now: open"))
        let unknown = try await Self.dropmate(["merchant", "pause", "nowhere"], directory: directory)
        #expect(unknown.status != 0 && unknown.output.contains("merchant nowhere does not exist"))
    }
}
