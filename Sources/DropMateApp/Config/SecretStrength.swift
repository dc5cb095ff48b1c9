import DropMateRedis
import Foundation

/// Refuses secrets that were copied from an example file or typed as a stand-in: a server started with a
/// placeholder `JWT_SECRET` lets anyone who read the example forge staff tokens. Generated dev secrets never pass
/// through here (they are random); only values an operator configured do. Problems name what is wrong, never the value.
enum SecretStrength {
    /// Text example files and habits use for "put the real one here".
    static let placeholderWords = ["replace", "change", "example", "your-", "your_", "placeholder"]

    /// Why `value` is not acceptable as a secret, or nil. `minimumDistinct`: the fewest different characters a
    /// value of this kind has when it was generated (random 32-character secrets have about 25).
    static func problem(_ value: String, minimumDistinct: Int = 1) -> String? {
        let lowered = value.lowercased()
        if let word = placeholderWords.first(where: { lowered.contains($0) }) {
            return "looks like a placeholder (contains \"\(word)\"): set a real, randomly generated value"
        }
        // "xxx" marks a stand-in ("sk-xxxx", "wxxxx"), but random base64 holds three x's about once in 800
        // values: only a run of four, or three in a short value, counts.
        if lowered.contains("xxxx") || (value.count <= 16 && lowered.contains("xxx")) {
            return "looks like a placeholder (contains \"xxx\"): set a real, randomly generated value"
        }
        if let run = longestRun(value), run >= 8 || (run == value.count && value.count >= 4) {
            return "looks like a placeholder (one character repeated): set a real, randomly generated value"
        }
        if Set(value).count < minimumDistinct {
            return
                "is too weak (only \(Set(value).count) different characters; at least \(minimumDistinct)): generate one, e.g. openssl rand -base64 32"
        }
        return nil
    }

    /// Why base64 key material (an EncodingAESKey, a personal-data key) is not acceptable: words in its text, or
    /// decoded bytes with almost no variety (`"B" * 43`, a key of zeros). The random-looking text of a real key is
    /// not checked for short runs, which random base64 has now and then.
    static func keyProblem(_ base64: String) -> String? {
        let lowered = base64.lowercased()
        if let word = ["replace", "change", "example", "placeholder"].first(where: { lowered.contains($0) }) {
            return "looks like a placeholder (contains \"\(word)\"): generate a key, e.g. openssl rand -base64 32"
        }
        let padded = base64 + String(repeating: "=", count: (4 - base64.count % 4) % 4)
        // the format check reports it
        guard let bytes = Data(base64Encoded: padded), !bytes.isEmpty else { return nil }
        if Set(bytes).count < 8 {
            return "is not random key material (its bytes barely vary): generate a key, e.g. openssl rand -base64 32"
        }
        return nil
    }

    private static func longestRun(_ value: String) -> Int? {
        var longest = 0, current = 0
        var previous: Character?
        for character in value {
            current = character == previous ? current + 1 : 1
            previous = character
            longest = max(longest, current)
        }
        return longest == 0 ? nil : longest
    }

    /// Checks every configured secret in `env`, reporting each problem under its variable.
    static func check(_ env: [String: String], problem: (String, String) -> Void) {
        func configured(_ name: String) -> String? { env[name].flatMap { $0.isEmpty ? nil : $0 } }
        let texts: [(name: String, minimumDistinct: Int)] = [
            ("JWT_SECRET", 10), ("WECHAT_TOKEN", 1), ("WECHAT_APP_SECRET", 6), ("METRICS_TOKEN", 8),
            ("SMS_PROVIDER_KEY", 4), ("STORAGE_SECRET_ACCESS_KEY", 4), ("MAPS_API_KEY", 1),
        ]
        for (name, minimumDistinct) in texts {
            if let value = configured(name), let found = Self.problem(value, minimumDistinct: minimumDistinct) {
                problem(name, found)
            }
        }
        if let key = configured("WECHAT_ENCODING_AES_KEY"), let found = keyProblem(key) {
            problem("WECHAT_ENCODING_AES_KEY", found)
        }
        if let ring = configured("DROPMATE_PII_KEYS") {
            for entry in ring.split(separator: ",") {
                let key = entry.split(separator: ":", maxSplits: 1).last.map(String.init) ?? ""
                if let found = keyProblem(key.trimmingCharacters(in: .whitespaces)) {
                    problem("DROPMATE_PII_KEYS", found); break
                }
            }
        }
        // Passwords inside connection URLs (compose builds DATABASE_URL from POSTGRES_PASSWORD).
        for name in ["DATABASE_URL", "DATABASE_READ_URL", "REDIS_URL"] {
            guard let url = configured(name) else { continue }
            // A cluster's REDIS_URL lists several nodes, which URLComponents cannot read.
            let components = URLComponents(string: url)?.password.map { $0.removingPercentEncoding ?? $0 }
            guard let password = name == "REDIS_URL" ? (try? RedisConfiguration(url: url))?.password : components,
                !password.isEmpty
            else { continue }
            if let found = Self.problem(password) { problem(name, "the password " + found) }
        }
    }
}
