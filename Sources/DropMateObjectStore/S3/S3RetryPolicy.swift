/// How often and how patiently ``S3ObjectStore`` retries answers that say "try again" (5xx, throttling)
/// and requests that got no answer at all.
public struct S3RetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    /// The delay ceiling before the first retry; it doubles for each later one.
    public var baseDelay: Duration
    /// The longest wait between two attempts.
    public var maxDelay: Duration

    public init(maxAttempts: Int, baseDelay: Duration, maxDelay: Duration) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// Four attempts, waiting up to 0.2 s, 0.4 s and 0.8 s between them.
    public static let standard = S3RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(200), maxDelay: .seconds(5))
    /// One attempt: for tests that want an error at once.
    public static let none = S3RetryPolicy(maxAttempts: 1, baseDelay: .zero, maxDelay: .zero)

    /// A random wait up to the exponential ceiling ("full jitter"), so clients throttled together do not retry together.
    func delay(beforeRetry retry: Int) -> Duration {
        let ceiling = min(maxDelay, baseDelay * (1 << min(retry, 20)))
        let ceilingMilliseconds = Int(
            ceiling.components.seconds * 1000 + ceiling.components.attoseconds / 1_000_000_000_000_000)
        return .milliseconds(Int.random(in: 0...max(0, ceilingMilliseconds)))
    }

    /// Whether an error answer is worth another attempt.
    static func isRetryable(_ error: S3ServiceError) -> Bool {
        if [500, 502, 503, 504, 429].contains(error.status) { return true }
        return [
            "SlowDown", "Throttling", "ThrottlingException", "RequestTimeout", "InternalError", "ServiceUnavailable",
        ]
        .contains(error.code ?? "")
    }
}
