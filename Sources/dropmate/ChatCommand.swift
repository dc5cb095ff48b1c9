import ArgumentParser
import AsyncHTTPClient
import DropMateWeChat
import Foundation

/// `dropmate chat`: a terminal stand-in for WeChat. Each line is sent to a running server as a
/// correctly signed (optionally AES-encrypted) message; replies and dev-outbox pushes are printed.
/// Reads stdin until EOF, so it is scriptable: `printf '你好\n菜单\n' | dropmate chat`.
struct ChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "Chat with a running DropMate server as a WeChat customer would.",
        discussion: ChatInput.helpText
    )

    @Option(help: "Webhook URL.") var url: String?
    @Option(help: "Shorthand for --url http://127.0.0.1:PORT/wechat.") var port: Int?
    @Option(help: "WeChat token (default: env WECHAT_TOKEN, else the data directory's dev secrets).") var token: String?
    @Option(name: .customLong("app-id"), help: "AppID (default: env WECHAT_APP_ID, else the dev AppID).") var appID:
        String?
    @Option(
        name: .customLong("aes-key"),
        help: "EncodingAESKey (default: env WECHAT_ENCODING_AES_KEY, else the dev secrets).") var aesKey: String?
    @Option(name: .customLong("data-dir"), help: "Where the server keeps dev-secrets.json.") var dataDirectory =
        ProcessInfo.processInfo.environment["DROPMATE_DATA_DIR"] ?? ".dropmate"
    @Flag(help: "Safe mode: encrypt messages with AES.") var aes = false
    @Flag(help: "Compatible mode: plaintext fields and Encrypt together.") var compatible = false
    @Option(help: "The customer's OpenID (default o_chat_<username>).") var openid: String?
    @Option(help: "Our Official Account id (ToUserName).") var account = "gh_dropmate"

    func validate() throws {
        if aes && compatible { throw ValidationError("choose one of --aes and --compatible") }
        if url != nil && port != nil { throw ValidationError("give --url or --port, not both") }
        if let port, !(1...65535).contains(port) { throw ValidationError("--port must be 1 to 65535") }
    }

    func run() async throws {
        let session: ChatSession
        do { session = try makeSession() } catch {
            ChatOutput.warn("\(error)")
            throw ExitCode(64)
        }
        let interactive = isatty(STDIN_FILENO) == 1
        var state = ChatState(openID: openid ?? Self.defaultOpenID())
        if interactive {
            ChatOutput.say(
                "Chatting with \(session.webhookURL) as \(state.openID) (\(session.mode.rawValue) mode). /help for commands."
            )
        }
        await state.primeOutbox(session)
        var failed = false
        while true {
            if interactive { ChatOutput.prompt("\(state.openID)> ") }
            guard let line = await Self.readLine() else { break }
            if !interactive && !line.isEmpty { ChatOutput.say("> \(line)") }
            let input = ChatInput(line)
            do {
                guard try await state.handle(input, session: session) else { break }
            } catch {
                ChatOutput.warn(error.description)
                failed = true
                if !interactive { break }
            }
        }
        if interactive { ChatOutput.say("") }
        if !failed {
            // Let the worker deliver what the last message triggered before leaving.
            try? await Task.sleep(for: .milliseconds(400))
            try? await state.showPushes(session)
        }
        if failed { throw ExitCode(1) }
    }

    private func makeSession() throws -> ChatSession {
        let credentials = try ChatCredentials.resolve(
            token: token, appID: appID, aesKey: aesKey, dataDirectory: dataDirectory)
        let mode: WeChatWebhook.Mode = aes ? .safe : compatible ? .compatible : .plaintext
        if mode != .plaintext && credentials.encodingAESKey == nil {
            throw ChatCredentials.Missing(
                description:
                    "--aes and --compatible need an EncodingAESKey: pass --aes-key or set WECHAT_ENCODING_AES_KEY")
        }
        let signer: WeChatClientSigner
        do {
            signer = try WeChatClientSigner(
                token: credentials.token, appID: credentials.appID,
                encodingAESKey: mode == .plaintext ? nil : credentials.encodingAESKey)
        } catch {
            throw ChatCredentials.Missing(description: "\(error)")
        }
        let webhook = url ?? "http://127.0.0.1:\(port ?? 8080)/wechat"
        guard var components = URLComponents(string: webhook), let scheme = components.scheme,
            ["http", "https"].contains(scheme), components.host != nil
        else {
            throw ChatCredentials.Missing(
                description: "--url must be an http(s) URL, e.g. http://127.0.0.1:8080/wechat")
        }
        components.path = "/dev/outbox"
        components.query = nil
        return ChatSession(
            webhookURL: webhook, outboxURL: components.string ?? webhook, signer: signer, mode: mode,
            accountID: account, client: HTTPClient.shared)
    }

    static func defaultOpenID() -> String {
        let user = ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.userName
        let safe = user.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
        return "o_chat_" + (safe.isEmpty ? "guest" : safe)
    }

    /// The next stdin line without blocking the cooperative thread pool; nil at EOF.
    static func readLine() async -> String? {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: Swift.readLine(strippingNewline: true)) }
        }
    }
}
