import Foundation

/// Reads typed values from the environment for one concern and reports what is wrong, naming the variable, without
/// ever quoting the value (it may be a secret). Every concern has a small reader built on it (`ServerSettings`,
/// `WeChatSettings`, `DatabaseSettings`, `RedisSettings`, …), in the manner of swift-configuration's scoped readers;
/// `AppConfig.load` only puts them together. Problems are collected, so an operator sees all of them at once.
struct EnvironmentReader {
    let environment: [String: String]
    private let sink: ProblemSink

    init(_ environment: [String: String], sink: ProblemSink = ProblemSink()) {
        self.environment = environment
        self.sink = sink
    }

    /// Reports a problem with `variable`.
    func problem(_ variable: String, _ message: String) { sink.add(variable, message) }

    /// The problems reported so far through this reader or any reader sharing its sink.
    var problems: [AppConfig.Problem] { sink.problems }

    /// The value as set, even when empty (nil: unset).
    func raw(_ name: String) -> String? { environment[name] }

    /// The value when set and not empty.
    func string(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }

    /// A whole number, `fallback` when unset; outside `range` (or not a number) is a problem described by `message`.
    func int(_ name: String, default fallback: Int, in range: ClosedRange<Int>, _ message: String) -> Int {
        let value = Int(environment[name] ?? String(fallback)) ?? -1
        if !range.contains(value) { problem(name, message) }
        return value
    }

    /// `int`, for 64-bit settings (seconds, minutes).
    func int64(_ name: String, default fallback: Int64, in range: ClosedRange<Int64>, _ message: String) -> Int64 {
        let value = Int64(environment[name] ?? String(fallback)) ?? -1
        if !range.contains(value) { problem(name, message) }
        return value
    }

    /// A number, `fallback` when unset; nil (and a problem) when it is not a number or outside `range`.
    func double(_ name: String, default fallback: Double, in range: ClosedRange<Double>, _ message: String) -> Double? {
        guard let value = Double(environment[name] ?? String(fallback)), range.contains(value) else {
            problem(name, message)
            return nil
        }
        return value
    }

    /// Whether `text` is an absolute http(s) URL.
    static func isHTTPURL(_ text: String) -> Bool {
        URL(string: text)?.scheme.map { ["http", "https"].contains($0) } == true
    }
}

/// Where a configuration's readers put their problems.
final class ProblemSink {
    private(set) var problems: [AppConfig.Problem] = []

    func add(_ variable: String, _ message: String) {
        problems.append(AppConfig.Problem(variable: variable, message: message))
    }
}
