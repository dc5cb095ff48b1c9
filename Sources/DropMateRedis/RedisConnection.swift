import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// One Redis connection: commands are pipelined, replies matched in order.
public final class RedisConnection: Sendable {
    private let channel: any Channel
    private let commandTimeout: Duration
    /// A flush is already scheduled on the event loop (read and written there only).
    private let flushPending: NIOLoopBoundBox<Bool>
    private let onRedirect: (@Sendable (String) -> Void)?

    /// Connects, then authenticates and selects the database the configuration names.
    /// `onRedirect` hears every `MOVED` reply (a cluster's dedicated connection tells its router).
    public static func connect(
        _ configuration: RedisConfiguration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        onRedirect: (@Sendable (String) -> Void)? = nil
    ) async throws -> RedisConnection {
        var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
        if let caFile = configuration.tlsCAFile { tlsConfiguration.trustRoots = .file(caFile) }
        let sslContext = configuration.tls ? try NIOSSLContext(configuration: tlsConfiguration) : nil
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(.nanoseconds(Int64(configuration.connectTimeout.components.seconds) * 1_000_000_000))
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(
                                context: sslContext,
                                serverHostname: configuration.tlsServerName
                                    ?? (RedisConfiguration.isAddress(configuration.host) ? nil : configuration.host)))
                    }
                    try channel.pipeline.syncOperations.addHandler(RedisChannelHandler())
                }
            }
            .connect(host: configuration.host, port: configuration.port)
            .get()
        let connection = RedisConnection(
            channel: channel, commandTimeout: configuration.commandTimeout, onRedirect: onRedirect)
        do {
            if let password = configuration.password {
                _ = try await connection.send(
                    configuration.username.map { ["AUTH", $0, password] } ?? ["AUTH", password])
            }
            if configuration.database != 0 {
                _ = try await connection.send(["SELECT", String(configuration.database)])
            }
        } catch {
            connection.close()
            throw error
        }
        return connection
    }

    private init(channel: any Channel, commandTimeout: Duration, onRedirect: (@Sendable (String) -> Void)?) {
        self.channel = channel
        self.onRedirect = onRedirect
        self.commandTimeout = commandTimeout
        self.flushPending = NIOLoopBoundBox.makeBoxSendingValue(false, as: Bool.self, eventLoop: channel.eventLoop)
    }

    public var isActive: Bool { channel.isActive }

    /// The event loop the connection lives on: its writes and replies happen there.
    public var eventLoop: any EventLoop { channel.eventLoop }

    /// Sends one command and returns its reply; an error reply is thrown as `RedisError.server`.
    /// `timeout` nil uses the configured command timeout; blocking commands pass their own.
    public func send(_ arguments: [String], timeout: Duration? = nil) async throws -> RedisValue {
        try await send(bytes: arguments.map { Array($0.utf8) }, timeout: timeout)
    }

    /// Sends one binary-safe command.
    public func send(bytes arguments: [[UInt8]], timeout: Duration? = nil) async throws -> RedisValue {
        let value = try await sendAdjacent([arguments], timeout: timeout)[0].futureResult.get()
        if case .error(let message) = value {
            if let onRedirect, message.hasPrefix("MOVED ") { onRedirect(message) }
            throw RedisError.server(message)
        }
        return value
    }

    /// Writes `commands` back to back (no other caller's command between them: `ASKING` must come right before the
    /// command it lets through) and returns the promises of their replies, error replies included.
    func sendAdjacent(_ commands: [[[UInt8]]], timeout: Duration? = nil) -> [EventLoopPromise<RedisValue>] {
        let deadline = NIODeadline.now() + TimeAmount(timeout ?? commandTimeout)
        let requests = commands.map { arguments in
            RedisRequest(
                bytes: ByteBuffer(bytes: RedisWire.encode(arguments)),
                promise: channel.eventLoop.makePromise(of: RedisValue.self), deadline: deadline)
        }
        if channel.eventLoop.inEventLoop {
            requests.forEach(enqueue)
        } else {
            channel.eventLoop.execute { requests.forEach(self.enqueue) }
        }
        return requests.map(\.promise)
    }

    /// Writes `request` and makes sure a flush follows: one flush for every command written in the same turn of
    /// the event loop, so concurrent commands leave in one `writev` instead of one each. On the event loop only.
    private func enqueue(_ request: RedisRequest) {
        // A write to a connection that is already closed never reaches the handler: fail the reply at once
        // (completing a promise twice is a no-op in NIO, so the handler failing it too is fine).
        channel.write(request).whenFailure { request.promise.fail($0) }
        guard !flushPending.value else { return }
        flushPending.value = true
        channel.eventLoop.execute {
            self.flushPending.value = false
            self.channel.flush()
        }
    }

    public func close() {
        channel.close(promise: nil)
    }
}
