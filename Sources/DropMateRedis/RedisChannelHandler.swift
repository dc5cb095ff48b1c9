import NIOCore

/// A command on its way out, with the promise its reply fulfils and the time by which it must come.
struct RedisRequest {
    var bytes: ByteBuffer
    var promise: EventLoopPromise<RedisValue>
    var deadline: NIODeadline
}

/// Pipelining over one connection: replies come back in the order commands went out.
///
/// Timeouts: ten times a second the oldest unanswered command's deadline is checked (one timer per
/// connection, not one per command). A late reply would leave the pipeline out of step, so a command past
/// its deadline fails every waiting command and closes the connection.
final class RedisChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = RedisRequest
    typealias OutboundOut = ByteBuffer

    private var waiting = CircularBuffer<(promise: EventLoopPromise<RedisValue>, deadline: NIODeadline)>()
    private let reader = RedisReplyReader()
    private var watchdog: RepeatedTask?

    func handlerAdded(context: ChannelHandlerContext) {
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        watchdog = context.eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(100), delay: .milliseconds(100)) {
            _ in
            handler.value.checkDeadlines(context: boundContext.value)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        watchdog?.cancel()
        watchdog = nil
    }

    private func checkDeadlines(context: ChannelHandlerContext) {
        guard let oldest = waiting.first, oldest.deadline < .now() else { return }
        failAll(RedisError.timedOut)
        context.close(promise: nil)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        waiting.append((request.promise, request.deadline))
        context.write(wrapOutboundOut(request.bytes), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        do {
            try buffer.withUnsafeReadableBytes { bytes throws(RedisError) in try reader.feed(bytes) }
            while let value = try reader.next() {
                guard let request = waiting.popFirst() else {
                    throw RedisError.protocolError("a reply nobody asked for")
                }
                request.promise.succeed(value)
            }
        } catch {
            failAll(error)
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(RedisError.connectionClosed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll(error)
        context.close(promise: nil)
    }

    private func failAll(_ error: any Error) {
        while let request = waiting.popFirst() { request.promise.fail(error) }
    }
}
