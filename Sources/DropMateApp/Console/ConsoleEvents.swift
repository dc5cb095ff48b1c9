import DropMateCore
import DropMateEngine
import Foundation
import HTTPTypes
import Hummingbird
import ServiceLifecycle

/// `/console/events`: the board's Server-Sent Events. Each event names one order that changed (`event: order`,
/// `data: 1001`, `id: <epoch>-<sequence>`); the page then fetches that order's card with its own session's rights.
/// A browser reconnecting with `Last-Event-ID` gets what it missed, or `event: reload` when that is no longer known
/// (another process, or too long ago). A comment every 15 s keeps proxies from closing the stream, and the session
/// is checked again each minute: a signed-out or deactivated user's stream ends (`event: signedout`); so does every
/// stream when the server shuts down gracefully.
extension ConsoleRoutes {
    enum StreamItem: Sendable {
        case event(OrderFeed.Event)
        case ping
    }

    func events(_ request: Request, session: ConsoleSessions.Session) -> Response {
        let feed = api.engine.orderFeed
        let (events, current) = feed.subscribe()
        let missed: OrderFeed.CatchUp =
            request.headers[.lastEventID].map { feed.events(after: $0, until: current) } ?? .events([])
        let headers: HTTPFields = [
            .contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store", .xAccelBuffering: "no",
        ]
        let sessions = sessions
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                let (items, continuation) = AsyncStream<StreamItem>.makeStream(
                    bufferingPolicy: .bufferingNewest(feed.capacity))
                let forward = Task {
                    for await event in events { continuation.yield(.event(event)) }
                    continuation.finish()
                }
                let ticker = Task {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(15))
                        continuation.yield(.ping)
                    }
                }
                defer {
                    forward.cancel()
                    ticker.cancel()
                    continuation.finish()
                }
                var opening = "retry: 2000\nid: \(feed.id(current))\nevent: hello\ndata: \(current)\n\n"
                switch missed {
                case .reload: opening += "event: reload\ndata: \(current)\n\n"
                case .events(let list): for event in list { opening += Self.frame(event, feed: feed) }
                }
                try await writer.write(ByteBuffer(string: opening))
                // A server shutting down ends every stream (the browser reconnects to another replica), so a rolling
                // deploy never waits for open boards.
                try await withGracefulShutdownHandler {
                    var pings = 0
                    stream: for await item in items {
                        switch item {
                        case .event(let event):
                            try await writer.write(ByteBuffer(string: Self.frame(event, feed: feed)))
                        case .ping:
                            pings += 1
                            if pings % 4 == 0, (try? await sessions.session(request)) == nil {
                                try await writer.write(ByteBuffer(string: "event: signedout\ndata: 0\n\n"))
                                break stream
                            }
                            try await writer.write(ByteBuffer(string: ": ping\n\n"))
                        }
                    }
                } onGracefulShutdown: {
                    continuation.finish()
                }
                try await writer.finish(nil)
            })
    }

    static func frame(_ event: OrderFeed.Event, feed: OrderFeed) -> String {
        "id: \(feed.id(event.sequence))\nevent: order\ndata: \(event.orderID)\n\n"
    }
}

extension HTTPField.Name {
    static let lastEventID = Self("Last-Event-ID")!
    static let xAccelBuffering = Self("X-Accel-Buffering")!
}
