import Logging
import ServiceLifecycle

/// Reloads the catalog every `every` so ads edited on another replica, and ads whose window opens or closes,
/// reach this process's conversations within that time.
package struct CatalogRefresher: Service {
    let engine: ConversationEngine
    let every: Duration
    let logger: Logger

    package init(engine: ConversationEngine, every: Duration, logger: Logger) {
        self.engine = engine
        self.every = every
        self.logger = logger
    }

    package func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: every)
                guard !Task.isCancelled else { return }
                do { try await engine.reloadCatalog() } catch {
                    logger.warning(
                        "catalog reload failed; keeping the last one", metadata: ["dropmate.error": "\(error)"])
                }
            }
        }
    }
}
