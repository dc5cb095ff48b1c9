import Synchronization

/// Slows password guessing: after `limit` failed logins for one username within `window` seconds, further
/// attempts are refused (429) until the window has passed. Per process; a success clears the count.
final class LoginGuard: Sendable {
    private let failures = Mutex<[String: [Int64]]>([:])
    let limit: Int
    let window: Int64

    init(limit: Int = 10, window: Int64 = 900) {
        self.limit = limit
        self.window = window
    }

    func isLocked(_ username: String, now: Int64) -> Bool {
        failures.withLock { table in (table[username] ?? []).filter { $0 > now - window }.count >= limit }
    }

    func failed(_ username: String, now: Int64) {
        failures.withLock { table in
            if table.count > 100_000 { table = table.filter { $0.value.contains { $0 > now - window } } }
            table[username, default: []] = (table[username] ?? []).filter { $0 > now - window } + [now]
        }
    }

    func succeeded(_ username: String) {
        failures.withLock { _ = $0.removeValue(forKey: username) }
    }
}
