import DropMateCore
import Foundation
import Testing

/// The real `dropmate` binary as an operator meets it: each subcommand's help shows its own options, the serve
/// banner's chat command works when pasted into a shell, and no command prints raw Unix times.
@Suite(.enabled(if: DropMateBinary.path != nil, "build the dropmate product first (swift build)"), .serialized)
struct CommandLineTests {
    /// Runs a command to its end (at most 60 s) with `input` on stdin; its exit status and stdout.
    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String], directory: String? = nil,
        input: String = ""
    ) async throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        // Each pipe is read to its end on a thread of its own: readability handlers did not reliably see the end of
        // a stream here, and a completion script of tens of kilobytes came back cut short on a loaded machine.
        let output = Self.readToEnd(stdout.fileHandleForReading)
        let errors = Self.readToEnd(stderr.fileHandleForReading)
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let deadline = ContinuousClock.now + .seconds(60)
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning { process.terminate() }
        let (out, err) = (await output.value, await errors.value)
        return (
            process.isRunning ? -1 : process.terminationStatus, String(decoding: out, as: UTF8.self),
            String(decoding: err, as: UTF8.self)
        )
    }

    /// Everything `handle` yields until its end, read on a thread of its own (not one of the concurrency pool's).
    static func readToEnd(_ handle: FileHandle) -> Task<Data, Never> {
        let (stream, continuation) = AsyncStream<Data>.makeStream()
        let thread = Thread {
            continuation.yield(handle.readDataToEndOfFile())
            continuation.finish()
        }
        thread.start()
        return Task {
            var data = Data()
            for await chunk in stream { data.append(chunk) }
            return data
        }
    }

    static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("dropmate-cli-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func eachSubcommandsHelpShowsOnlyItsOwnOptions() async throws {
        let binary = try #require(DropMateBinary.path)
        let environment = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
        for command in [
            ["staff", "create"], ["courier", "list"], ["migrate"], ["merchant", "rules"], ["jobs", "dead"],
        ] {
            let help = try await Self.run(binary, command + ["--help"], environment: environment)
            #expect(help.status == 0, "\(command)")
            #expect(
                help.output.contains("--data-dir") && help.output.contains("--log-level"), "\(command): \(help.output)")
            #expect(
                !help.output.contains("--port") && !help.output.contains("--host"),
                "\(command) shows serve's options: \(help.output)")
        }
        for command in [["serve"], ["worker"]] {
            let help = try await Self.run(binary, command + ["--help"], environment: environment)
            #expect(
                help.status == 0 && help.output.contains("--port") && help.output.contains("--host")
                    && help.output.contains("--data-dir"), "\(command)")
        }
        // The options that moved still parse where they belong, and are refused where they do not.
        let misplaced = try await Self.run(
            binary, ["staff", "create", "--username", "x", "--role", "admin", "--port", "9"], environment: environment)
        #expect(misplaced.status == 64 && misplaced.errors.contains("--port"))
    }

    @Test func theServeBannersChatCommandWorksWhenPastedIntoAShell() async throws {
        let parent = try Self.temporaryDirectory()
        // A name a shell would split and expand: the printed command must quote it.
        let data = parent + "/data dir's $HOME"
        let elsewhere = try Self.temporaryDirectory()
        defer {
            try? FileManager.default.removeItem(atPath: parent)
            try? FileManager.default.removeItem(atPath: elsewhere)
        }
        // A data directory that is not the default, given as a flag: the printed command must name it.
        try await DropMateBinary.run(["serve", "--data-dir", data], environment: ["LOG_FORMAT": "text"]) { server in
            let line = try #require(try await server.waitForLine { $0.hasPrefix("Chat with it:") ? $0 : nil })
            let command = line.dropFirst("Chat with it:".count).trimmingCharacters(in: .whitespaces)
            #expect(
                command.contains(#"--data-dir '\#(parent)/data dir'\''s $HOME'"#) && command.contains(" chat --port "),
                "\(command)")
            // Run exactly as printed, by a shell, from another directory, with no DropMate variables set.
            let chat = try await Self.run(
                "/bin/sh", ["-c", command], environment: ["PATH": "/usr/bin:/bin", "HOME": elsewhere],
                directory: elsewhere, input: "菜单\n")
            #expect(chat.status == 0, "\(command) failed: \(chat.errors)")
            #expect(chat.output.contains("> 菜单") && chat.output.contains("牛肉面"), "\(chat.output)")
        }
    }

    @Test func courierListPrintsPositionsInLocalTimeNotUnixSeconds() async throws {
        let binary = try #require(DropMateBinary.path)
        let directory = try Self.temporaryDirectory()
        let app = try await TestApp.make(directory: directory)
        let created = try await app.dependencies.couriers.create(name: "王师傅", phone: PhoneNumber("13900139000"))
        _ = try await app.dependencies.engine.updatePosition(
            courierID: created.courier.id, coordinate: Coordinate(latitude: 31.2243, longitude: 121.4805))
        await app.shutdown(keepingFiles: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let environment = [
            "PATH": "/usr/bin:/bin", "HOME": directory, "WECHAT_TOKEN": TestAccount.token,
            "WECHAT_APP_ID": TestAccount.appID,
            "WECHAT_ENCODING_AES_KEY": TestAccount.encodingAESKey, "JWT_SECRET": TestAccount.jwtSecret,
            "DROPMATE_PII_KEYS": TestAccount.piiKeys,
            "PUBLIC_BASE_URL": "https://dropmate.example",
        ]
        let list = try await Self.run(
            binary, ["courier", "list", "--data-dir", directory, "--log-level", "error"], environment: environment)
        #expect(list.status == 0, "\(list.errors)")
        #expect(list.output.contains("王师傅") && list.output.contains("at 2026-11-25 12:00:00 +08:00"), "\(list.output)")
        #expect(list.output.firstMatch(of: /\b1[0-9]{9}\b/) == nil, "a raw Unix time: \(list.output)")
    }

    @Test func anUnknownLogLevelIsAnErrorThatListsTheValidOnes() async throws {
        let binary = try #require(DropMateBinary.path)
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let environment = ["PATH": "/usr/bin:/bin", "HOME": directory]
        let flag = try await Self.run(
            binary, ["migrate", "--data-dir", directory, "--log-level", "loud"], environment: environment)
        #expect(flag.status != 0, "an unknown level ran anyway: \(flag.output)")
        let said = flag.errors + flag.output
        #expect(said.contains("loud") && said.contains("--log-level"), "\(said)")
        #expect(flag.status == 64, "a usage error (EX_USAGE)")
        for level in ["trace", "debug", "info", "notice", "warning", "error", "critical"] {
            #expect(said.contains("- \(level)\n"), "\(level): \(said)")
        }
        // The same refusal for LOG_LEVEL, through the configuration's report (exit 78, the variable named).
        var withEnvironment = environment
        withEnvironment["LOG_LEVEL"] = "verbose"
        let variable = try await Self.run(binary, ["migrate", "--data-dir", directory], environment: withEnvironment)
        #expect(variable.status == 78, "\(variable.output) \(variable.errors)")
        #expect(
            (variable.errors + variable.output).contains(
                "LOG_LEVEL: must be one of trace, debug, info, notice, warning, error, critical"))
        // A valid one, in any case, still works.
        let valid = try await Self.run(
            binary, ["migrate", "--data-dir", directory, "--log-level", "Warning"], environment: environment)
        #expect(valid.status == 0, "\(valid.output) \(valid.errors)")
    }

    @Test func theShellCompletionScriptIsGenerated() async throws {
        let binary = try #require(DropMateBinary.path)
        let environment = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
        let bash = try await Self.run(binary, ["--generate-completion-script", "bash"], environment: environment)
        #expect(bash.status == 0, "\(bash.errors)")
        #expect(bash.output.contains("complete -") && bash.output.contains("dropmate"), "\(bash.output.prefix(400))")
        for subcommand in ["serve", "worker", "migrate"] {
            #expect(bash.output.contains(subcommand), "\(subcommand) missing")
        }
        #expect(bash.output.contains("--log-level"))
        let zsh = try await Self.run(binary, ["--generate-completion-script", "zsh"], environment: environment)
        #expect(zsh.status == 0 && zsh.output.hasPrefix("#compdef dropmate"), "\(zsh.output.prefix(200))")
        let fish = try await Self.run(binary, ["--generate-completion-script", "fish"], environment: environment)
        #expect(fish.status == 0 && fish.output.contains("complete -c 'dropmate'"), "\(fish.output.prefix(200))")
        // bash itself accepts the script (a syntax error would break every new shell of whoever installs it).
        let script = FileManager.default.temporaryDirectory.appendingPathComponent(
            "dropmate-completion-\(UUID().uuidString).bash"
        ).path
        try bash.output.write(toFile: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: script) }
        let check = try await Self.run("/bin/bash", ["-n", script], environment: environment)
        #expect(check.status == 0, "\(check.errors)")
    }
}
