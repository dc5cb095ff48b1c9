import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Cryptographically secure random bytes for nonces and IVs, drawn from the kernel 4 KiB at a time.
///
/// `SystemRandomNumberGenerator` makes one `getrandom` system call per 8 bytes; every webhook message needs a
/// 12-byte AES-GCM nonce for its sealed answer (and, in WeChat's safe mode, 16 more bytes for the reply),
/// so that was two to four system calls a message. The pool makes one per 256 bytes. Bytes handed out are
/// never handed out again; the pool lives only in this process's memory, next to the keys themselves.
public final class SecureRandom: Sendable {
    /// The process-wide pool.
    public static let shared = SecureRandom()

    private struct Pool {
        var bytes: [UInt8]
        /// The first byte not yet handed out (`bytes.count`: the pool is spent).
        var next: Int
    }

    private let pool: Mutex<Pool>
    private let refillSize: Int

    /// `refillSize`: bytes fetched from the kernel at once.
    public init(refillSize: Int = 4096) {
        precondition(refillSize > 0)
        self.refillSize = refillSize
        pool = Mutex(Pool(bytes: [UInt8](repeating: 0, count: refillSize), next: refillSize))
    }

    /// `count` fresh random bytes.
    public func bytes(_ count: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            fill(UnsafeMutableRawBufferPointer(buffer))
            initialized = count
        }
    }

    /// Fills `buffer` with fresh random bytes.
    public func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        guard buffer.count <= refillSize else {  // large requests go straight to the kernel
            Self.kernelRandom(buffer)
            return
        }
        pool.withLock { pool in
            if pool.bytes.count - pool.next < buffer.count {
                pool.bytes.withUnsafeMutableBytes { Self.kernelRandom($0) }
                pool.next = 0
            }
            pool.bytes.withUnsafeBytes { source in
                buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[pool.next..<pool.next + buffer.count]))
            }
            pool.next += buffer.count
        }
    }

    /// Fills `buffer` from the kernel's generator (`getentropy`, which takes at most 256 bytes a call).
    static func kernelRandom(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress else { return }
        var offset = 0
        while offset < buffer.count {
            let chunk = min(256, buffer.count - offset)
            guard getentropy(base + offset, chunk) == 0 else { fatalError("getentropy failed: errno \(errno)") }
            offset += chunk
        }
    }
}
