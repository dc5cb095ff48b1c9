import Crypto
import Synchronization

/// What a signed WeChat request is, for replay checks: its (timestamp, nonce) and a digest of the body it carried.
///
/// In plaintext mode the signature covers the token, timestamp and nonce but not the body, so one signed query
/// string (from a proxy's access log, say) would carry any body within the timestamp window. A pair may therefore
/// carry one body only: the same body again is WeChat retrying, another body is a forgery.
public struct SignedRequest: Sendable, Equatable {
    public var timestamp: Int64
    public var nonce: String
    /// The first 128 bits of the body's SHA-256.
    public var digest: (UInt64, UInt64)

    public init(timestamp: Int64, nonce: String, body: [UInt8]) {
        self.timestamp = timestamp
        self.nonce = nonce
        digest = SHA256.hash(data: body).withUnsafeBytes { bytes in
            (
                bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self),
                bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
            )
        }
    }

    /// The digest as 32 hex digits (what Redis keeps, the same in every replica).
    public var digestHex: String {
        func hex(_ value: UInt64) -> String {
            let digits = String(value.bigEndian, radix: 16)  // byte order does not matter, only that it is fixed
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
        return hex(digest.0) + hex(digest.1)
    }

    public static func == (lhs: SignedRequest, rhs: SignedRequest) -> Bool {
        lhs.timestamp == rhs.timestamp && lhs.nonce == rhs.nonce && lhs.digest == rhs.digest
    }
}

/// The (timestamp, nonce) pairs this process has seen within the timestamp window, each with its body's digest.
///
/// Pairs are kept per timestamp second; a second older than the window is dropped whole (its requests are refused
/// as stale anyway). Memory is about 40 bytes per message accepted within the last `2 × window` seconds; only
/// correctly signed requests are remembered, so nobody without the token can fill it. Across replicas, Redis keeps
/// the same memory (`RedisCoordinator`); a restart forgets this one.
package final class SignedRequestMemory: Sendable {
    /// What a request's pair has carried before.
    package enum Admission: Equatable {
        /// Never seen: remembered now.
        case first
        /// Seen with this very body: a retry, answered from dedupe.
        case repeated
        /// Seen with another body: refuse it.
        case conflict
    }

    private struct State {
        var seconds: [Int64: [Int: (UInt64, UInt64)]] = [:]
        var purgedAt: Int64 = .min
    }

    private let state = Mutex(State())
    private let window: Int64

    package init(window: Int64) { self.window = window }

    package func admit(_ request: SignedRequest, now: Int64) -> Admission {
        var hasher = Hasher()
        hasher.combine(request.nonce)
        let nonce = hasher.finalize()
        return state.withLock { state in
            if state.purgedAt != now {
                state.purgedAt = now
                let oldest = now - window
                for second in state.seconds.keys.filter({ $0 < oldest }) { state.seconds[second] = nil }
            }
            if let seen = state.seconds[request.timestamp]?[nonce] {
                return seen == request.digest ? .repeated : .conflict
            }
            state.seconds[request.timestamp, default: [:]][nonce] = request.digest
            return .first
        }
    }

    /// Forgets `request`'s pair if it holds this request's body: another replica had seen the pair with another
    /// body (Redis said so), and the forgery must not stay here to refuse the real message's retries.
    package func forget(_ request: SignedRequest) {
        var hasher = Hasher()
        hasher.combine(request.nonce)
        let nonce = hasher.finalize()
        state.withLock { state in
            guard let seen = state.seconds[request.timestamp]?[nonce], seen == request.digest else { return }
            state.seconds[request.timestamp]?[nonce] = nil
        }
    }

    /// How many pairs are remembered (for tests).
    var count: Int { state.withLock { $0.seconds.values.reduce(0) { $0 + $1.count } } }
}
