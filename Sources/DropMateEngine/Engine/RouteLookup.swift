import DropMateCore
import Logging

/// Road distance between two points from a map service.
public protocol RouteProvider: Sendable {
    func roadMetres(from origin: Coordinate, to destination: Coordinate) async throws -> Double
}

/// Places a typed address on the map, when the service finds it precisely enough to measure a delivery distance.
public protocol Geocoder: Sendable {
    /// The address's coordinate; nil when the service found nothing, only a whole district or city, or several places
    /// far apart (a distance measured from a guess would refuse or charge a customer wrongly). Throws when the service
    /// failed.
    func locate(_ address: String) async throws -> Coordinate?
}

/// Asks the configured map service with a deadline; on failure or timeout the caller keeps the built-in estimate
/// (a road distance) or takes the address unmeasured (a geocode).
public struct RouteLookup: Sendable {
    let provider: any RouteProvider
    /// Places typed addresses (nil: typed addresses stay unmeasured).
    let geocoder: (any Geocoder)?
    let timeout: Duration
    let logger: Logger

    /// The most one conversation turn spends waiting for map services, geocode and road distance together: the reply
    /// is due within WeChat's 5 s, and the engine's own deadline (4 s) must still have room for the rest of the turn.
    public static let turnBudget: Duration = .milliseconds(2_500)

    public init(
        provider: any RouteProvider, geocoder: (any Geocoder)? = nil, timeout: Duration = .milliseconds(800),
        logger: Logger
    ) {
        self.provider = provider
        self.geocoder = geocoder
        self.timeout = timeout
        self.logger = logger
    }

    /// Road metres, or nil when the service failed or took longer than `timeout` (or than `deadline`, when sooner).
    public func roadMetres(
        from origin: Coordinate, to destination: Coordinate, deadline: ContinuousClock.Instant? = nil
    ) async -> Double? {
        let provider = provider
        let result = await Self.within(wait(until: deadline)) {
            try await provider.roadMetres(from: origin, to: destination)
        }
        switch result {
        case .answered(let metres): return metres
        case .failed: logger.notice("map service failed; using the built-in estimate"); return nil
        case .tooSlow: logger.notice("map service too slow; using the built-in estimate"); return nil
        }
    }

    /// Where the typed address is, or nil when no geocoder is configured, it found nothing precise enough, failed or
    /// took longer than `timeout` (or than `deadline`). The address is never logged: it is personal data.
    public func locate(_ address: String, deadline: ContinuousClock.Instant? = nil) async -> Coordinate? {
        guard let geocoder else { return nil }
        let result = await Self.within(wait(until: deadline)) { try await geocoder.locate(address) }
        switch result {
        case .answered(let coordinate?): return coordinate
        case .answered(nil): logger.info("map service could not place an address; its distance is unknown"); return nil
        case .failed: logger.notice("map service failed to geocode; the distance is unknown"); return nil
        case .tooSlow: logger.notice("map service too slow to geocode; the distance is unknown"); return nil
        }
    }

    /// The configured timeout, cut short by `deadline`.
    func wait(until deadline: ContinuousClock.Instant?) -> Duration {
        guard let deadline else { return timeout }
        return max(.zero, min(timeout, deadline - ContinuousClock.now))
    }

    enum Lookup<Value: Sendable>: Sendable {
        case answered(Value)
        case failed
        case tooSlow
    }

    /// Runs `work` against a deadline `timeout` away; whichever ends first wins and the other is cancelled.
    static func within<Value: Sendable>(
        _ timeout: Duration, _ work: @escaping @Sendable () async throws -> Value
    ) async -> Lookup<Value> {
        guard timeout > .zero else { return .tooSlow }
        return await withTaskGroup(of: Lookup<Value>.self) { group in
            group.addTask {
                do { return .answered(try await work()) } catch { return .failed }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return .tooSlow
            }
            let first = await group.next() ?? .tooSlow
            group.cancelAll()
            return first
        }
    }
}
