import Dispatch
import DropMateDataProtection
import Synchronization

/// Runs password hashing (scrypt: tens of milliseconds of CPU and 32 MiB each at the standard cost) on a few
/// threads of its own, never on the threads that serve requests, with a bounded queue: when it is full, a caller is
/// told at once (``Busy``, answered 503) instead of waiting behind somebody's burst of sign-ins.
final class PasswordWorkers: Sendable {
    /// Every thread is hashing and the queue is full.
    struct Busy: Error {}

    private let queues: [DispatchQueue]
    /// Work given to each queue and not finished yet.
    private let load: Mutex<[Int]>
    /// Hashes that may wait beyond the ones running.
    let queueLimit: Int

    init(threads: Int, queueLimit: Int) {
        queues = (0..<max(threads, 1)).map { DispatchQueue(label: "dropmate.passwords.\($0)") }
        load = Mutex(Array(repeating: 0, count: max(threads, 1)))
        self.queueLimit = max(queueLimit, 0)
    }

    /// Runs `work` on the least busy thread, or throws ``Busy`` at once when `threads + queueLimit` are taken.
    func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async throws -> T {
        let capacity = queues.count + queueLimit
        let chosen: Int? = load.withLock { load in
            guard load.reduce(0, +) < capacity, let index = load.indices.min(by: { load[$0] < load[$1] }) else {
                return nil
            }
            load[index] += 1
            return index
        }
        guard let chosen else { throw Busy() }
        return await withCheckedContinuation { continuation in
            queues[chosen].async { [self] in
                let result = work()
                load.withLock { $0[chosen] -= 1 }
                continuation.resume(returning: result)
            }
        }
    }

    /// Hashes waiting or running now.
    var inFlight: Int { load.withLock { $0.reduce(0, +) } }
}

/// Checks and makes password hashes on ``PasswordWorkers``.
///
/// An unknown username is checked against a decoy: a real hash made once with the same parameters as every new
/// hash, so an answer's timing does not tell which names exist (nor whether an account is deactivated: those are
/// checked in full too).
final class PasswordCheck: Sendable {
    let hasher: PasswordHasher
    let workers: PasswordWorkers
    private let decoy = Mutex<String?>(nil)

    init(hasher: PasswordHasher, workers: PasswordWorkers) {
        self.hasher = hasher
        self.workers = workers
        // Made ahead on the workers, so the first unknown name does not cost two hashes.
        Task { [self] in _ = try? await workers.run { self.decoyHash } }
    }

    /// Whether `password` matches `stored`; with no stored hash, the decoy is checked (always false).
    func verify(_ password: String, against stored: String?) async throws -> Bool {
        try await workers.run { [self] in
            guard let stored else {
                _ = hasher.verify(password, against: decoyHash)
                return false
            }
            return hasher.verify(password, against: stored)
        }
    }

    /// A new hash of `password`.
    func hash(_ password: String) async throws -> Result<String, PasswordHashError> {
        try await workers.run { [hasher] in Result { () throws(PasswordHashError) in try hasher.hash(password) } }
    }

    /// The decoy, made on first use with this hasher's parameters from a password nobody knows.
    var decoyHash: String {
        if let made = decoy.withLock({ $0 }) { return made }
        let secret = SecureRandom.shared.bytes(24).map { String($0, radix: 16) }.joined()
        let made = (try? hasher.hash(secret)) ?? ""
        return decoy.withLock { stored in
            if let stored { return stored }
            stored = made
            return made
        }
    }
}
