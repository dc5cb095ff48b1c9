import ArgumentParser
import DropMateWeChat
import Foundation

/// `dropmate loadgen`: writes pre-signed webhook requests for `bench/wechat.lua` (wrk), each a distinct text
/// message (distinct MsgId) so that every request goes through signature checks, dedupe and persistence.
/// By default one per line as `path?query<TAB>body`; with `--http HOST`, each as the complete HTTP request
/// wrk sends, ended by a NUL byte, so the load generator has nothing left to build (`--split N` writes one
/// file per wrk thread).
struct LoadGenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loadgen",
        abstract: "Write pre-signed WeChat webhook requests for the wrk benchmark (bench/webhook.sh)."
    )

    @Option(help: "plaintext, compatible or safe.") var mode: String = "plaintext"
    @Option(help: "How many requests to write.") var count: Int = 100_000
    @Option(help: "How many distinct customers (FromUserName) to cycle over.") var users: Int = 5000
    @Option(help: "WeChat token (default: env WECHAT_TOKEN, else the data directory's dev secrets).") var token: String?
    @Option(name: .customLong("app-id"), help: "AppID (default: env WECHAT_APP_ID, else the dev AppID).") var appID:
        String?
    @Option(
        name: .customLong("aes-key"),
        help: "EncodingAESKey (default: env WECHAT_ENCODING_AES_KEY, else the dev secrets).") var aesKey: String?
    @Option(name: .customLong("data-dir"), help: "Where the server keeps dev-secrets.json.") var dataDirectory =
        ".dropmate"
    @Option(help: "Webhook path.") var path = "/wechat"
    @Option(help: "Our Official Account id (ToUserName).") var account = "gh_dropmate"
    @Option(name: .customLong("first-msg-id"), help: "MsgId of the first request (default: random), then +1 each.")
    var firstMsgID: UInt64?
    @Option(help: "Prefix of the generated OpenIDs (vary it between runs for fresh customers).") var userPrefix =
        "o_load_"
    @Option(help: "Output file.") var out: String
    @Option(help: "Write complete HTTP requests for this Host header (HOST:PORT), NUL-terminated, instead of lines.")
    var http: String?
    @Option(help: "Write OUT.0 … OUT.<N-1>, request i to file i % N (one per wrk thread).") var split: Int = 1
    @Option(
        help:
            "Index of the first message (continues a run written in several files: customers, MsgIds and conversations go on)."
    )
    var start: Int = 0
    @Option(
        name: .customLong("order-every"),
        help:
            "Each customer places an order (dish, address, phone, 确认) every N of their messages, chatting in between (0: never; at least 4)."
    )
    var orderEvery: Int = 0
    @Option(
        name: .customLong("retry-percent"),
        help: "This percentage of messages is sent twice, as WeChat retries (same MsgId), the copy to the next file.")
    var retryPercent: Int = 0

    /// What each simulated customer types, in turn, starting at a place of its own: the same round at any number of
    /// customers (one dish added to a new cart, later the cart cancelled, chat between), so a customer's fiftieth
    /// message costs what its third does. Every other customer writes in English; each keeps to its language (a
    /// customer switching language every message would change, and store, its state every time). Each customer once
    /// sent one of 8 texts forever: with few customers the carts filled to the limit in the warm-up and nothing was
    /// written again, with many every eighth message wrote.
    static let contents = [
        [
            "你好", "菜单", "2 份牛肉面", "帮助", "到哪了", "菜单", "订单", "你好",
            "你好", "菜单", "取消", "帮助", "到哪了", "菜单", "订单", "你好",
        ],
        [
            "hi", "menu", "order 2 beef noodles", "help", "where is my order", "menu", "orders", "hi",
            "hi", "menu", "cancel", "help", "where is my order", "menu", "orders", "hi",
        ],
    ]
    /// An order from start to end, as a customer types it (`--order-every`).
    static let ordering = ["2 份牛肉面", "黄浦区人民大道200号", "13800138000", "确认"]
    /// What customers say between orders.
    static let chat = ["你好", "菜单", "到哪了", "订单", "hi", "menu"]

    /// What the message at `index` says: its customer's `index / users`-th message.
    func text(at index: Int) -> String {
        guard orderEvery > 0 else {
            let customer = index % users, round = Self.contents[customer % Self.contents.count]
            return round[(index / users + customer) % round.count]
        }
        // Each customer starts its round at a place of its own, so orders are placed at a steady pace, not by every
        // customer in the same minute.
        let turn = (index / users + index % users) % orderEvery
        return turn < Self.ordering.count
            ? Self.ordering[turn] : Self.chat[(index / users / orderEvery + turn) % Self.chat.count]
    }

    func validate() throws {
        guard WeChatWebhook.Mode(rawValue: mode) != nil else {
            throw ValidationError("--mode must be plaintext, compatible or safe")
        }
        guard count > 0, users > 0 else { throw ValidationError("--count and --users must be positive") }
        guard path.hasPrefix("/"), !path.contains("?") else {
            throw ValidationError("--path must be a path like /wechat")
        }
        guard split > 0 else { throw ValidationError("--split must be positive") }
        guard start >= 0 else { throw ValidationError("--start must not be negative") }
        guard orderEvery == 0 || orderEvery >= Self.ordering.count else {
            throw ValidationError("--order-every must be 0 or at least \(Self.ordering.count)")
        }
        guard (0...100).contains(retryPercent) else { throw ValidationError("--retry-percent must be 0 to 100") }
        if let http, http.isEmpty || http.contains(where: \.isWhitespace) {
            throw ValidationError("--http must be a host like 127.0.0.1:8080")
        }
    }

    func run() async throws {
        let mode = WeChatWebhook.Mode(rawValue: mode)!
        let signer: WeChatClientSigner
        do {
            let credentials = try ChatCredentials.resolve(
                token: token, appID: appID, aesKey: aesKey, dataDirectory: dataDirectory)
            if mode != .plaintext && credentials.encodingAESKey == nil {
                throw ChatCredentials.Missing(
                    description: "--mode \(mode.rawValue) needs --aes-key or WECHAT_ENCODING_AES_KEY")
            }
            signer = try WeChatClientSigner(
                token: credentials.token, appID: credentials.appID,
                encodingAESKey: mode == .plaintext ? nil : credentials.encodingAESKey)
        } catch {
            FileHandle.standardError.write(Data("dropmate loadgen: \(error)\n".utf8))
            throw ExitCode(64)
        }
        let paths = split == 1 ? [out] : (0..<split).map { "\(out).\($0)" }
        var files: [FileHandle] = []
        for path in paths {
            guard FileManager.default.createFile(atPath: path, contents: nil),
                let file = FileHandle(forWritingAtPath: path)
            else {
                FileHandle.standardError.write(Data("dropmate loadgen: cannot write \(path)\n".utf8))
                throw ExitCode(73)
            }
            files.append(file)
        }
        defer { for file in files { try? file.close() } }
        let started = Date()
        let now = Int64(started.timeIntervalSince1970)
        let firstID = firstMsgID ?? UInt64.random(in: 1_000_000_000_000_000_000...8_000_000_000_000_000_000)
        let salt = UInt32.random(in: 0...UInt32.max)
        var buffers = [[UInt8]](repeating: [], count: split)
        for index in buffers.indices { buffers[index].reserveCapacity(1 << 20) }
        var written = 0
        for index in start..<(start + count) {
            let content = text(at: index)
            let message = InboundMessage(
                toUserName: account, fromUserName: userPrefix + String(index % users), createTime: now,
                kind: .text(content: content, msgID: String(firstID &+ UInt64(index)))
            )
            let nonce = String(salt &+ UInt32(truncatingIfNeeded: index) &* 2_654_435_761)
            let (query, body) = signer.request(for: message, mode: mode, timestamp: now, nonce: nonce)
            // XML whitespace between elements is insignificant; the contents have no newlines or tabs.
            let oneLineBody = Array(
                body.utf8.filter { $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\t") })
            // A retry is the same request again (WeChat resends the same message, signature and all), scattered
            // evenly over the run and sent by another wrk thread, so it may arrive while the first is in hand.
            let retried = retryPercent > 0 && (index &* 7919) % 100 < retryPercent
            for shard in retried ? [index % split, (index + 1) % split] : [index % split] {
                if let http {
                    buffers[shard] +=
                        "POST \(path)?\(query) HTTP/1.1\r\nHost: \(http)\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: \(oneLineBody.count)\r\n\r\n"
                        .utf8
                    buffers[shard] += oneLineBody
                    buffers[shard].append(0)
                } else {
                    buffers[shard] += "\(path)?\(query)\t".utf8
                    buffers[shard] += oneLineBody
                    buffers[shard].append(UInt8(ascii: "\n"))
                }
                written += 1
                if buffers[shard].count > (1 << 20) - 4096 {
                    try files[shard].write(contentsOf: buffers[shard])
                    buffers[shard].removeAll(keepingCapacity: true)
                }
            }
        }
        for (file, buffer) in zip(files, buffers) { try file.write(contentsOf: buffer) }
        let seconds = Date().timeIntervalSince(started)
        FileHandle.standardError.write(
            Data(
                """
                dropmate loadgen: wrote \(written) \(mode.rawValue) requests (\(count) messages, \(written - count) retries; \(users) users, \
                MsgId \(firstID &+ UInt64(start))…\(firstID &+ UInt64(start + count - 1)), \
                timestamp \(now)) to \(paths.count == 1 ? out : "\(out).0…\(paths.count - 1)") in \(String(format: "%.1f", seconds)) s

                """.utf8))
    }
}
