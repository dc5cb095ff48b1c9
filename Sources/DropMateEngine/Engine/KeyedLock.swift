import Synchronization

/// One async lock per key (a customer's OpenID): a customer's messages run one at a time, different customers in parallel.
final class KeyedLock: Sendable {
    private struct Entry {
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let entries = Mutex<[String: Entry]>([:])

    func withLock<T: Sendable>(_ key: String, _ body: () async throws -> T) async rethrows -> T {
        await acquire(key)
        defer { release(key) }
        return try await body()
    }

    private func acquire(_ key: String) async {
        let free = entries.withLock { entries in
            if entries[key] == nil {
                entries[key] = Entry()
                return true
            }
            return false
        }
        if free { return }
        await withCheckedContinuation { continuation in
            let nowFree = entries.withLock { entries in
                if entries[key] == nil {
                    entries[key] = Entry()
                    return true
                }
                entries[key]!.waiters.append(continuation)
                return false
            }
            if nowFree { continuation.resume() }
        }
    }

    private func release(_ key: String) {
        let next: CheckedContinuation<Void, Never>? = entries.withLock { entries in
            guard var entry = entries[key], !entry.waiters.isEmpty else {
                entries[key] = nil
                return nil
            }
            let next = entry.waiters.removeFirst()
            entries[key] = entry  // still held: ownership passes to `next`
            return next
        }
        next?.resume()
    }
}
