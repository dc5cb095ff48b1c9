import ArgumentParser
import DropMateWeChat
import Foundation

/// `dropmate loadgen`: writes pre-signed webhook requests for `bench/wechat.lua` (wrk), one per line
/// as `path?query<TAB>body`, each a distinct text message (distinct MsgId) so that every request
/// goes through signature checks, dedupe and persistence.
struct LoadGenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loadgen",
        abstract: "Write pre-signed WeChat webhook requests for the wrk benchmark (bench/webhook.sh)."
    )

    @Option(help: "plaintext, compatible or safe.") var mode: String = "plaintext"
    @Option(help: "How many requests to write.") var count: Int = 100_000
    @Option(help: "How many distinct customers (FromUserName) to cycle over.") var users: Int = 5000
    @Option(help: "WeChat token (default: env WECHAT_TOKEN, else the data directory's dev secrets).") var token: String?
    @Option(name: .customLong("app-id"), help: "AppID (default: env WECHAT_APP_ID, else the dev AppID).") var appID: String?
    @Option(name: .customLong("aes-key"), help: "EncodingAESKey (default: env WECHAT_ENCODING_AES_KEY, else the dev secrets).") var aesKey: String?
    @Option(name: .customLong("data-dir"), help: "Where the server keeps dev-secrets.json.") var dataDirectory = ".dropmate"
    @Option(help: "Webhook path.") var path = "/wechat"
    @Option(help: "Our Official Account id (ToUserName).") var account = "gh_dropmate"
    @Option(name: .customLong("first-msg-id"), help: "MsgId of the first request (default: random), then +1 each.") var firstMsgID: UInt64?
    @Option(help: "Prefix of the generated OpenIDs (vary it between runs for fresh customers).") var userPrefix = "o_load_"
    @Option(help: "Output file.") var out: String

    /// What the simulated customers type, in turn.
    static let contents = ["你好", "菜单", "help", "到哪了", "menu", "2 份牛肉面", "订单", "hi"]

    func validate() throws {
        guard WeChatWebhook.Mode(rawValue: mode) != nil else { throw ValidationError("--mode must be plaintext, compatible or safe") }
        guard count > 0, users > 0 else { throw ValidationError("--count and --users must be positive") }
        guard path.hasPrefix("/"), !path.contains("?") else { throw ValidationError("--path must be a path like /wechat") }
    }

    func run() async throws {
        let mode = WeChatWebhook.Mode(rawValue: mode)!
        let signer: WeChatClientSigner
        do {
            let credentials = try ChatCredentials.resolve(token: token, appID: appID, aesKey: aesKey, dataDirectory: dataDirectory)
            if mode != .plaintext && credentials.encodingAESKey == nil {
                throw ChatCredentials.Missing(description: "--mode \(mode.rawValue) needs --aes-key or WECHAT_ENCODING_AES_KEY")
            }
            signer = try WeChatClientSigner(token: credentials.token, appID: credentials.appID,
                                            encodingAESKey: mode == .plaintext ? nil : credentials.encodingAESKey)
        } catch {
            FileHandle.standardError.write(Data("dropmate loadgen: \(error)\n".utf8))
            throw ExitCode(64)
        }
        guard FileManager.default.createFile(atPath: out, contents: nil), let file = FileHandle(forWritingAtPath: out) else {
            FileHandle.standardError.write(Data("dropmate loadgen: cannot write \(out)\n".utf8))
            throw ExitCode(73)
        }
        defer { try? file.close() }
        let started = Date()
        let now = Int64(started.timeIntervalSince1970)
        let firstID = firstMsgID ?? UInt64.random(in: 1_000_000_000_000_000_000...8_000_000_000_000_000_000)
        let salt = UInt32.random(in: 0...UInt32.max)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        for index in 0..<count {
            let content = Self.contents[index % Self.contents.count]
            let message = InboundMessage(
                toUserName: account, fromUserName: userPrefix + String(index % users), createTime: now,
                kind: .text(content: content, msgID: String(firstID &+ UInt64(index)))
            )
            let nonce = String(salt &+ UInt32(truncatingIfNeeded: index) &* 2_654_435_761)
            let (query, body) = signer.request(for: message, mode: mode, timestamp: now, nonce: nonce)
            buffer.append(contentsOf: path.utf8)
            buffer.append(UInt8(ascii: "?"))
            buffer.append(contentsOf: query.utf8)
            buffer.append(UInt8(ascii: "\t"))
            // XML whitespace between elements is insignificant; the contents have no newlines or tabs.
            for byte in body.utf8 where byte != UInt8(ascii: "\n") && byte != UInt8(ascii: "\r") && byte != UInt8(ascii: "\t") {
                buffer.append(byte)
            }
            buffer.append(UInt8(ascii: "\n"))
            if buffer.count > (1 << 20) - 4096 {
                try file.write(contentsOf: buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        try file.write(contentsOf: buffer)
        let seconds = Date().timeIntervalSince(started)
        FileHandle.standardError.write(Data("""
            dropmate loadgen: wrote \(count) \(mode.rawValue) requests (\(users) users, MsgId \(firstID)…\(firstID &+ UInt64(count - 1)), \
            timestamp \(now)) to \(out) in \(String(format: "%.1f", seconds)) s

            """.utf8))
    }
}
