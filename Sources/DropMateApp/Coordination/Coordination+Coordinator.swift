import DropMateEngine
import Logging

extension Coordination {
    /// The coordinator this configuration names, for `ConversationEngine`: in memory, or shared through Redis.
    func coordinator(logger: Logger) -> any CustomerCoordinator {
        switch self {
        case .local(let rateLimit): LocalCoordinator(rateLimit: rateLimit)
        case .redis(let redis, let settings): RedisCoordinator(redis: redis, settings: settings, logger: logger)
        }
    }
}
