import Logging
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// Lowers the scheduling priority (raises the nice value) of the threads that parse requests, so the embedded
/// default's SQLite writer thread, which commits the state-changing messages, is not starved by them.
///
/// On a saturated machine the slowest replies are those waiting for a commit: the writer thread wakes up to
/// run a batch and waits behind the event loops for a CPU. With the loops at nice 5 (the writer stays at 0)
/// the kernel runs the writer first, and p99 drops by about a quarter (BENCHMARKS.md). Raising the writer
/// instead would need `CAP_SYS_NICE`; lowering a thread of one's own never does. Linux only: elsewhere
/// nothing changes.
public enum EventLoopPriority {
    /// Adds `nice` to the nice value of every thread of NIO's shared event-loop group. Returns how many
    /// threads were changed; logs (and changes nothing more) when the system refuses.
    @discardableResult
    public static func lower(by nice: Int32, logger: Logger) async -> Int {
        guard nice > 0 else { return 0 }
        var changed = 0
        for loop in MultiThreadedEventLoopGroup.singleton.makeIterator() {
            let result = try? await loop.submit { lowerCurrentThread(by: nice) }.get()
            switch result {
            case .success?: changed += 1
            case .failure(let error)?:
                logger.notice("could not lower an event loop's priority", metadata: ["dropmate.error": "\(error)"])
            case nil: break
            }
        }
        return changed
    }

    /// Why a thread's priority could not be changed.
    public struct Refused: Error, CustomStringConvertible {
        public var description: String
    }

    /// Adds `nice` to the calling thread's nice value (only this thread: on Linux each thread has its own).
    public static func lowerCurrentThread(by nice: Int32) -> Result<Void, Refused> {
        #if os(Linux)
        guard let tid = currentThreadID() else {
            return .failure(Refused(description: "no thread id in /proc/thread-self"))
        }
        guard let current = niceValue(of: tid) else {
            return .failure(Refused(description: "getpriority: errno \(errno)"))
        }
        guard setpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(tid), min(19, current + nice)) == 0 else {
            return .failure(Refused(description: "setpriority: errno \(errno)"))
        }
        return .success(())
        #else
        return .failure(Refused(description: "per-thread priorities are set on Linux only"))
        #endif
    }

    /// The nice value of the calling thread (Linux), for tests and logs.
    public static func currentThreadNice() -> Int32? {
        #if os(Linux)
        return currentThreadID().flatMap(niceValue(of:))
        #else
        return nil
        #endif
    }

    #if os(Linux)
    /// The nice value of thread `tid`; nil (with `errno` set) when the kernel refuses.
    private static func niceValue(of tid: pid_t) -> Int32? {
        errno = 0  // -1 is a valid nice value: only errno tells a failure
        let value = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(tid))
        return errno == 0 ? value : nil
    }

    /// The kernel's id of the calling thread: `/proc/thread-self` links to `<pid>/task/<tid>` (the Glibc
    /// module does not export `gettid`).
    static func currentThreadID() -> pid_t? {
        var buffer = [CChar](repeating: 0, count: 64)
        let length = readlink("/proc/thread-self", &buffer, buffer.count - 1)
        guard length > 0 else { return nil }
        let link = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let last = link.split(separator: "/").last else { return nil }
        return pid_t(last)
    }
    #endif
}
