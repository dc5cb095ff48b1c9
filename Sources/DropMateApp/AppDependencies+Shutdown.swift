import DropMateStorage
import Synchronization

extension AppDependencies {
    /// Closes everything these dependencies own, once, in the order that loses nothing; every later call (from any
    /// copy) returns at once. Call it after whatever used them (the HTTP server, the worker) has stopped.
    ///
    /// 1. The stream queue's blocking reader: no more jobs are claimed.
    /// 2. The store's write-behind: answer records still queued are written while the database is open.
    /// 3. Redis, then the outbound HTTP client.
    /// 4. The database, when `connect` opened it (a server role's database is a service of the group, stopped
    ///    after the role).
    public func shutdown() async {
        guard closing.begin() else { return }
        (jobQueue as? RedisStreamJobQueue)?.shutdown()
        await store.flush()
        redis?.shutdown()
        try? await http.shutdown()
        if ownsDatabase { await backend.shutdown() }
    }
}

/// True the first time only: what makes `AppDependencies.shutdown()` safe to call from every exit path.
final class ShutdownOnce: Sendable {
    private let begun = Mutex(false)

    func begin() -> Bool {
        begun.withLock { begun in
            defer { begun = true }
            return !begun
        }
    }
}
