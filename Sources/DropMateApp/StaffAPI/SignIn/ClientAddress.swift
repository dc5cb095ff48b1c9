import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 network (`10.0.0.0/8`, `fd00::/8`, or one address).
struct IPNetwork: Sendable, Hashable {
    var bytes: [UInt8]
    var prefixLength: Int

    init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let bytes = IPNetwork.address(String(parts[0])) else { return nil }
        let length = parts.count == 2 ? Int(parts[1]) : bytes.count * 8
        guard let length, (0...bytes.count * 8).contains(length) else { return nil }
        self.bytes = bytes
        prefixLength = length
    }

    func contains(_ address: [UInt8]) -> Bool {
        guard address.count == bytes.count else { return false }
        var remaining = prefixLength
        for index in bytes.indices where remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
            guard address[index] & mask == bytes[index] & mask else { return false }
            remaining -= 8
        }
        return true
    }

    /// The address's bytes: 4 for IPv4 (IPv4-mapped IPv6 included), 16 for IPv6; nil when it is not an address.
    /// Accepts what proxies write: brackets and a port (`[::1]:80`, `1.2.3.4:5678`).
    static func address(_ raw: String) -> [UInt8]? {
        var text = raw.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("["), let end = text.firstIndex(of: "]") {
            text = String(text[text.index(after: text.startIndex)..<end])
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            text = String(text[..<colon])
        }
        guard !text.isEmpty, text.count <= 64 else { return nil }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF { return Array(bytes[12...]) }
        return bytes
    }
}

/// The proxies whose `X-Forwarded-For` is believed (`DROPMATE_TRUSTED_PROXIES`: comma-separated addresses and
/// CIDR networks). With none, the client is always the TCP peer and the header is ignored: anyone can write it.
struct TrustedProxies: Sendable, Hashable {
    var networks: [IPNetwork] = []

    /// Parses the variable's value; returns the entries that are not addresses or networks as `invalid`.
    static func parse(_ text: String) -> (proxies: TrustedProxies, invalid: [String]) {
        var proxies = TrustedProxies(), invalid: [String] = []
        for entry in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            if let network = IPNetwork(entry) { proxies.networks.append(network) } else { invalid.append(entry) }
        }
        return (proxies, invalid)
    }

    func trusts(_ address: [UInt8]) -> Bool { networks.contains { $0.contains(address) } }

    /// Who sent a request, as sign-in limits count it: the TCP `peer`, unless the peer is a trusted proxy; then the
    /// right-most `X-Forwarded-For` hop that is not a trusted proxy (hops left of it were written by the client and
    /// prove nothing). IPv6 clients are counted by their /64, which one subscriber usually holds whole.
    func client(peer: String?, forwardedFor: [String]) -> String {
        guard let peer, var current = IPNetwork.address(peer) else { return "unknown" }
        if trusts(current) {
            let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map(String.init)
            for hop in hops.reversed() {
                guard let address = IPNetwork.address(hop) else { break }
                current = address
                if !trusts(address) { break }
            }
        }
        return Self.describe(current)
    }

    static func describe(_ address: [UInt8]) -> String {
        if address.count == 4 { return address.map(String.init).joined(separator: ".") }
        let words = stride(from: 0, to: 8, by: 2).map {
            String(UInt16(address[$0]) << 8 | UInt16(address[$0 + 1]), radix: 16)
        }
        return words.joined(separator: ":") + "::/64"
    }
}

extension HTTPField.Name {
    /// The TCP peer's address, set by ``PeerAddressResponder`` for the routes (a client-sent value is replaced).
    static let peerAddress = Self("DropMate-Peer-Address")!
    static let xForwardedFor = Self("X-Forwarded-For")!
}

extension Request {
    /// The client's address for sign-in limits: see ``TrustedProxies/client(peer:forwardedFor:)``.
    func clientAddress(trusting proxies: TrustedProxies) -> String {
        proxies.client(peer: headers[.peerAddress], forwardedFor: headers[values: .xForwardedFor])
    }
}

/// Serves the router with each request's TCP peer address in `DropMate-Peer-Address`: Hummingbird's basic request
/// context does not keep the connection, and the routes need no other context type. Any value a client sent under
/// that name is dropped first.
///
/// WeChat's webhook never asks who the client is, and it carries thousands of messages a second: a webhook request
/// that brings no such header passes through untouched (no address formatted, no request rebuilt).
struct PeerAddressResponder<Inner: HTTPResponder>: HTTPResponder where Inner.Context == BasicRequestContext {
    struct Context: RequestContext {
        var coreContext: CoreRequestContextStorage
        var basic: BasicRequestContext
        var remote: SocketAddress?

        init(source: ApplicationRequestContextSource) {
            basic = BasicRequestContext(source: source)
            coreContext = basic.coreContext
            remote = source.channel.remoteAddress
        }
    }

    let inner: Inner

    func respond(to request: Request, context: Context) async throws -> Response {
        var basic = context.basic
        basic.coreContext = context.coreContext
        if request.uri.path == WeChatRoutes.path, !request.headers.contains(.peerAddress) {
            return try await inner.respond(to: request, context: basic)
        }
        var head = request.head
        head.headerFields[values: .peerAddress] = []
        if let peer = context.remote?.ipAddress { head.headerFields[.peerAddress] = peer }
        return try await inner.respond(to: Request(head: head, body: request.body), context: basic)
    }
}
