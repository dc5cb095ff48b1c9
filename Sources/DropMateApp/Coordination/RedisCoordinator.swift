import DropMateCore
import DropMateDataProtection
import DropMateEngine
import DropMateRedis
import DropMateStorage
import Foundation
import Logging
import Synchronization

/// How `ConversationEngine` shares customers with other replicas.
public enum Coordination: Sendable {
    /// This process alone serves every customer (the embedded default).
    case local(rateLimit: RateLimit)
    /// Replicas share locks, cached states, answered messages and rate counters in Redis.
    case redis(RedisClient, RedisCoordinationSettings)
}

/// Lifetimes and limits of what `RedisCoordinator` keeps in Redis.
public struct RedisCoordinationSettings: Sendable {
    /// A lock not released by then (its holder died) lapses.
    public var lockTTL: Duration = .seconds(30)
    /// How long a turn waits for a busy customer before giving up.
    public var lockWait: Duration = .seconds(30)
    /// Cached conversation states lapse after this much silence (the database keeps them for good).
    public var stateTTL: Int64 = 86_400
    /// Answers are kept this long for retries; older messages are checked against the database. As long as a signed
    /// request can be presented again (`requestTTL`): WeChat retries within seconds, and a replay later than the
    /// timestamp window is refused before it gets here, so an answer kept longer only fills Redis (at an hour, the
    /// soak saw Redis grow 138 MB a minute at 2,000 messages a second).
    public var answerTTL: Int64 = 601
    /// How long a signed request's (timestamp, nonce) is remembered with its body's digest: at least as long as
    /// WeChat's timestamp window lets the pair be presented (twice `WECHAT_TIMESTAMP_WINDOW`, plus a second).
    public var requestTTL: Int64 = 601
    public var rateLimit: RateLimit
    /// Prepended to every key, so several deployments can share one Redis.
    public var keyPrefix: String = "dm"
    /// Seals cached states and answers like the database does (Redis persists them too); nil: plain JSON.
    public var sealer: PIISealer?

    public init(rateLimit: RateLimit) { self.rateLimit = rateLimit }
}

/// Coordinates replicas through Redis. Per customer it keeps a lock (`SET NX PX` with a random token,
/// released only by its holder), the cached state, the answers to recent messages, a rate counter and the
/// customer's epoch, all under one hash tag (`{openid}`: one slot of a Redis Cluster) so each turn costs two
/// script calls: one to start it, one to end it. No key outside the customer's slot takes part in a turn, except
/// on a cluster the signed request's (timestamp, nonce), checked by one command of its own before the turn.
///
/// The cached state is *checked out* when a turn starts (read and deleted) and put back when it ends.
/// A turn that fails or whose process dies leaves no cache behind, so the next turn reads the database:
/// the cache can be missing, never stale.
///
/// The epoch says since when, and on which dataset, Redis has remembered this customer's answers: Redis's
/// replication id (`master_replid`), which changes whenever the data may have lost writes (a replica promoted in a
/// failover, a restart). A turn that finds no epoch, or one of another dataset, trusts nothing cached for the
/// customer: the state is dropped, the message is checked against the database, and a new epoch starts.
/// docs/REDIS_CLUSTER.md has the argument.
final class RedisCoordinator: CustomerCoordinator {
    private let redis: RedisClient
    private let settings: RedisCoordinationSettings
    private let logger: Logger
    /// The last state this process decoded or encoded per customer, with its JSON: a checked-out state that
    /// is the same text is not decoded again (a customer's turns mostly land on the same replica's cache).
    private let decoded: Mutex<BoundedCache<String, (json: String, state: ConversationState)>>
    /// Lock tokens are this process's random prefix and a counter: unique across replicas and turns, and cheaper
    /// than a UUID a turn (which showed in the webhook's profile).
    private let tokenPrefix = Hex.encode(SecureRandom.shared.bytes(12))
    private let tokenCounter = Atomic<UInt64>(0)

    init(redis: RedisClient, settings: RedisCoordinationSettings, cacheCapacity: Int = 100_000, logger: Logger) {
        self.redis = redis
        self.settings = settings
        self.logger = logger
        self.decoded = Mutex(BoundedCache(capacity: cacheCapacity))
    }

    /// The customer waited longer than `lockWait` for another replica to finish a turn.
    struct CustomerBusy: Error, CustomStringConvertible {
        var description: String { "another replica held the customer's lock for too long" }
    }

    private struct Keys {
        var lock, state, epoch: String
        var rate: String
        var answer: String?
        /// The signed request's (timestamp, nonce): which body it carried. Not the customer's: any body may name
        /// any customer, so the pair is remembered by itself (on a cluster, in a slot of its own).
        var request: String?

        init(prefix: String, customer: String, message: IncomingChat?, window: Int64) {
            let base = "\(prefix):{\(customer)}"
            lock = base + ":lock"
            state = base + ":state"
            rate = base + ":rate:\(window)"
            epoch = base + ":epoch"
            answer = message.map { base + ":msg:" + $0.dedupeKey }
            request = message?.request.map { "\(prefix):wxreq:\($0.timestamp):\($0.nonce)" }
        }
    }

    var keepsAnswers: Bool { true }

    func withTurn<Value: Sendable>(
        of customer: String, message: IncomingChat?, now: Int64,
        _ body: (TurnStart) async throws -> TurnEnd<Value>
    ) async throws -> Value {
        let keys = Keys(
            prefix: settings.keyPrefix, customer: customer, message: message, window: settings.rateLimit.window(at: now)
        )
        let token = tokenPrefix + String(tokenCounter.wrappingAdd(1, ordering: .relaxed).oldValue, radix: 16)
        let (turn, checkedOut) = try await acquire(keys, customer: customer, token: token, message: message, now: now)
        let outcome: TurnEnd<Value>
        do {
            outcome = try await body(turn)
        } catch {
            await release(keys, token: token, state: nil, answer: nil)
            throw error
        }
        var state = checkedOut
        if let changed = outcome.state {
            state = outcome.encodedState ?? Self.encode(changed, customer: customer, sealer: settings.sealer)
            if let json = state, !json.isEmpty { decoded.withLock { _ = $0.set(customer, (json, changed)) } }
        }
        await release(
            keys, token: token, state: state,
            answer: outcome.answer.map { Self.encodeAnswer($0, key: keys.answer ?? "", sealer: settings.sealer) })
        return outcome.value
    }

    func remember(_ answer: RecordedAnswer, for message: IncomingChat) async throws {
        let key = "\(settings.keyPrefix):{\(message.customer)}:msg:\(message.dedupeKey)"
        _ = try await redis.send([
            "SET", key, Self.encodeAnswer(answer, key: key, sealer: settings.sealer), "EX", String(settings.answerTTL),
        ])
    }

    /// Takes the lock (waiting with backoff while another replica holds it) and checks the state out.
    private func acquire(
        _ keys: Keys, customer: String, token: String, message: IncomingChat?, now: Int64
    ) async throws -> (TurnStart, checkedOut: String?) {
        let clock = ContinuousClock()
        let giveUp = clock.now + settings.lockWait
        var pause = Duration.milliseconds(1)
        var scriptKeys = [keys.lock, keys.state, keys.rate, keys.epoch]
        if let answer = keys.answer { scriptKeys.append(answer) }
        let digest = message?.request?.digestHex ?? ""
        if let request = keys.request {
            if redis.isCluster {
                // Another slot than the customer's: its own command, before anything of the customer's is touched.
                let seen = try await redis.send([
                    "SET", request, digest, "NX", "GET", "EX", String(settings.requestTTL),
                ])
                if let earlier = seen.string, earlier != digest { throw RequestReplayed() }
            } else {
                scriptKeys.append(request)
            }
        }
        let arguments = [
            token, String(settings.lockTTL.wholeMilliseconds), String(settings.rateLimit.messages),
            String(settings.rateLimit.windowSeconds * 2), String(now), String(settings.answerTTL),
            digest, String(settings.requestTTL), String(settings.stateTTL + settings.lockTTL.components.seconds + 1),
        ]
        while true {
            let reply = try await redis.run(Self.acquireScript, keys: scriptKeys, arguments: arguments).array ?? []
            if reply.first?.integer == 2 { throw RequestReplayed() }
            if reply.first?.integer == 1, reply.count == 5 {
                let checkedOut = reply[1].string
                let state = checkedOut.flatMap { json in
                    if let known = decoded.withLock({ $0[customer] }), known.json == json { return known.state }
                    guard let state = try? Self.decodeState(json, customer: customer, sealer: settings.sealer) else {
                        return nil
                    }
                    decoded.withLock { _ = $0.set(customer, (json, state)) }
                    return state
                }
                var status: MessageStatus?
                if let message {
                    let since = reply[3].integer ?? now
                    if let stored = reply[2].string {
                        // An answer, or the marker of a turn that never stored one (the database knows).
                        status =
                            Self.decodeAnswer(stored, key: keys.answer ?? "", sealer: settings.sealer).map {
                                .answered($0)
                            } ?? .unknown
                    } else if message.createTime > max(since, now - settings.answerTTL) + MessageMemory.skew {
                        status = .new
                    } else {
                        status = .unknown
                    }
                }
                return (
                    TurnStart(cachedState: state, message: status, overRateLimit: reply[4].integer == 1),
                    state == nil ? nil : checkedOut
                )
            }
            guard clock.now < giveUp else { throw CustomerBusy() }
            try await Task.sleep(for: pause)
            pause = min(pause * 2, .milliseconds(50))
        }
    }

    /// Records the answer, puts the state back and releases the lock (only if still ours). Never throws: when
    /// Redis is away (a restart), it keeps trying in the background until the lock would have lapsed anyway,
    /// so the customer's next message is not held up for the lock's whole lifetime.
    private func release(_ keys: Keys, token: String, state: String?, answer: String?) async {
        var scriptKeys = [keys.lock, keys.state]
        if let answerKey = keys.answer { scriptKeys.append(answerKey) }
        let arguments = [token, state ?? "", String(settings.stateTTL), answer ?? "", String(settings.answerTTL)]
        do {
            _ = try await redis.run(Self.releaseScript, keys: scriptKeys, arguments: arguments)
        } catch {
            logger.warning(
                "could not release a customer's lock; retrying in the background",
                metadata: ["dropmate.error": "\(error)"])
            let redis = redis, logger = logger, giveUp = ContinuousClock.now + settings.lockTTL
            Task {
                while ContinuousClock.now < giveUp {
                    try? await Task.sleep(for: .milliseconds(250))
                    if (try? await redis.run(Self.releaseScript, keys: scriptKeys, arguments: arguments)) != nil {
                        logger.info("released a customer's lock after Redis came back")
                        return
                    }
                }
            }
        }
    }

    /// A state as the database stores it (sealed to the customer, the same value in both places).
    private static func encode(_ state: ConversationState, customer: String, sealer: PIISealer?) -> String {
        // "" stores nothing: the next turn reads the database.
        ((try? sealer.map { try $0.encode(state, as: .customerState(customer)) } ?? JSONColumn.encode(state)) ?? nil)
            ?? ""
    }

    private static func decodeState(_ stored: String, customer: String, sealer: PIISealer?) throws -> ConversationState
    {
        if let sealer { return try sealer.decode(ConversationState.self, from: stored, as: .customerState(customer)) }
        return try JSONColumn.decode(ConversationState.self, from: stored)
    }

    /// An answer as the database stores it, behind a marker so `success` is not the empty string; sealed to its Redis
    /// key. One that does not open (plain text, or sealed for another key) is no answer: the database is asked.
    private static func encodeAnswer(_ answer: RecordedAnswer, key: String, sealer: PIISealer?) -> String {
        let column = (try? ReplyColumn.encode(answer)) ?? ""
        guard let sealer else { return "=" + column }
        return "=" + ((try? sealer.seal(column, as: SealedField("redis.answer", row: key))) ?? "")
    }

    private static func decodeAnswer(_ stored: String, key: String, sealer: PIISealer?) -> RecordedAnswer? {
        guard stored.first == "=" else { return nil }
        let column = String(stored.dropFirst())
        guard let sealer else { return try? ReplyColumn.decode(column) }
        return try? ReplyColumn.decode(try sealer.open(column, as: SealedField("redis.answer", row: key)))
    }

    /// KEYS: lock, state, rate counter, epoch, [answer, [request]]. ARGV: token, lock ms, rate limit, counter TTL, now,
    /// answer TTL, body digest, request TTL, epoch TTL.
    /// Returns {2} when the request's (timestamp, nonce) carried another body before (a forgery: nothing else is
    /// touched), {0} when the lock is taken, else {1, checked-out state, stored answer, epoch, over the limit}.
    /// A message seen for the first time gets the marker `~` as its answer until the turn stores the real one,
    /// so a turn that died or could not store its answer sends retries to the database, never to a rerun.
    /// The lock held with this very token is taken (a retried call whose first reply was lost already took it).
    /// The epoch (`<replication id> <time>`) is when this dataset started remembering the customer's answers: older
    /// messages may have been forgotten. On another dataset (or none), the state and any answer found are not trusted.
    static let acquireScript = RedisScript(
        """
        if KEYS[6] and not redis.call('SET', KEYS[6], ARGV[7], 'NX', 'EX', ARGV[8]) then
          if redis.call('GET', KEYS[6]) ~= ARGV[7] then return {2} end
        end
        if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
          if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {0} end
        end
        local dataset = string.match(redis.call('INFO', 'replication'), 'master_replid:(%w+)') or '-'
        local epoch = redis.call('GET', KEYS[4])
        local since = false
        if epoch and string.sub(epoch, 1, #dataset + 1) == dataset .. ' ' then
          since = tonumber(string.sub(epoch, #dataset + 2))
          redis.call('EXPIRE', KEYS[4], ARGV[9])
        end
        local state = redis.call('GETDEL', KEYS[2])
        local answer = false
        if not since then
          since = tonumber(ARGV[5])
          redis.call('SET', KEYS[4], dataset .. ' ' .. ARGV[5], 'EX', ARGV[9])
          state = false
        elseif KEYS[5] then
          answer = redis.call('GET', KEYS[5])
        end
        local over = 0
        if KEYS[5] and not answer then
          -- Taken: until the answer replaces it, a retry that finds this marker asks the database.
          redis.call('SET', KEYS[5], '~', 'EX', ARGV[6])
          local limit = tonumber(ARGV[3])
          if limit > 0 then
            local count = redis.call('INCR', KEYS[3])
            if count == 1 then redis.call('EXPIRE', KEYS[3], ARGV[4]) end
            if count > limit then over = 1 end
          end
        end
        return {1, state or false, answer or false, since, over}
        """)

    /// KEYS: lock, state, [answer]. ARGV: token, state ('' none), state TTL, answer ('' none), answer TTL.
    /// The answer is stored even when the lock lapsed (the turn's work is committed); the state only by the holder.
    static let releaseScript = RedisScript(
        """
        if KEYS[3] and ARGV[4] ~= '' then redis.call('SET', KEYS[3], ARGV[4], 'EX', ARGV[5]) end
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
        if ARGV[2] ~= '' then redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3]) end
        redis.call('DEL', KEYS[1])
        return 1
        """)
}
