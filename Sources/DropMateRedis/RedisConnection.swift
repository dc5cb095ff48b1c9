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

    /// Connects, then authenticates and selects the database the configuration names.
    public static func connect(_ configuration: RedisConfiguration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> RedisConnection {
        let sslContext = configuration.tls ? try NIOSSLContext(configuration: .makeClientConfiguration()) : nil
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(.nanoseconds(Int64(configuration.connectTimeout.components.seconds) * 1_000_000_000))
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: sslContext, serverHostname: configuration.host))
                    }
                    try channel.pipeline.syncOperations.addHandler(RedisChannelHandler())
                }
            }
            .connect(host: configuration.host, port: configuration.port)
            .get()
        let connection = RedisConnection(channel: channel, commandTimeout: configuration.commandTimeout)
        do {
            if let password = configuration.password {
                _ = try await connection.send(configuration.username.map { ["AUTH", $0, password] } ?? ["AUTH", password])
            }
            if configuration.database != 0 { _ = try await connection.send(["SELECT", String(configuration.database)]) }
        } catch {
            connection.close()
            throw error
        }
        return connection
    }

    private init(channel: any Channel, commandTimeout: Duration) {
        self.channel = channel
        self.commandTimeout = commandTimeout
        self.flushPending = NIOLoopBoundBox.makeBoxSendingValue(false, as: Bool.self, eventLoop: channel.eventLoop)
    }

    public var isActive: Bool { channel.isActive }

    /// Sends one command and returns its reply; an error reply is thrown as `RedisError.server`.
    /// `timeout` nil uses the configured command timeout; blocking commands pass their own.
    public func send(_ arguments: [String], timeout: Duration? = nil) async throws -> RedisValue {
        try await send(bytes: arguments.map { Array($0.utf8) }, timeout: timeout)
    }

    /// Sends one binary-safe command.
    public func send(bytes arguments: [[UInt8]], timeout: Duration? = nil) async throws -> RedisValue {
        let promise = channel.eventLoop.makePromise(of: RedisValue.self)
        let limit = timeout ?? commandTimeout
        let deadline = NIODeadline.now() + TimeAmount(limit)
        let request = RedisRequest(bytes: ByteBuffer(bytes: RedisWire.encode(arguments)), promise: promise, deadline: deadline)
        if channel.eventLoop.inEventLoop {
            enqueue(request)
        } else {
            channel.eventLoop.execute { self.enqueue(request) }
        }
        let value = try await promise.futureResult.get()
        if case .error(let message) = value { throw RedisError.server(message) }
        return value
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
