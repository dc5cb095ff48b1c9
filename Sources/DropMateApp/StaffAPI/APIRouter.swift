import Crypto
import DropMateCore
import DropMateStorage
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth
import Logging
import Synchronization

/// Registers staff API endpoints under `/api/v1`. An authenticated endpoint sits behind two middlewares from
/// hummingbird-auth: `StaffAuthenticatorMiddleware` puts the caller in the `StaffRequestContext`, and an
/// `AuthorizationPolicyMiddleware` with the endpoint's `StaffRolePolicy` answers 401 without a caller, 403 (logged)
/// for another role. Then the handler collects the body within its size limit, runs the endpoint's own
/// authorization, and only then replays the stored answer for a repeated `Idempotency-Key` (keys are the caller's
/// principal's alone; answers are stored sealed). Public endpoints run no authenticator at all.
final class APIRouter: Sendable {
    private let group: RouterGroup<StaffRequestContext>
    /// Where authenticated endpoints go: the authenticator middleware runs for them only.
    private let authenticated: RouterGroup<StaffRequestContext>
    private let staff: SQLStaffStore
    private let sealer: PIISealer
    private let clock: @Sendable () -> Int64
    private let logger: Logger
    private let registered = Mutex<[APIEndpoint]>([])
    /// Seconds an idempotent answer is kept for replays.
    static let idempotencyTTL: Int64 = 86_400

    init(
        router: Router<BasicRequestContext>, authenticator: StaffAuthenticator, staff: SQLStaffStore, sealer: PIISealer,
        clock: @escaping @Sendable () -> Int64, logger: Logger
    ) {
        group = router.group("/api/v1", context: StaffRequestContext.self).add(
            middleware: APIErrorMiddleware(logger: logger))
        authenticated = group.group().add(middleware: StaffAuthenticatorMiddleware(authenticator: authenticator))
        self.staff = staff
        self.sealer = sealer
        self.clock = clock
        self.logger = logger
    }

    /// Answers any other path under `/api/v1` with the JSON 404 (call after registering every endpoint).
    func finish() {
        for method in [HTTPRequest.Method.get, .post, .put, .delete, .patch] {
            group.on("**", method: method) { _, _ -> Response in
                throw APIError(status: .notFound, code: "not_found", message: "no such endpoint")
            }
        }
    }

    /// Every endpoint registered so far.
    var endpoints: [APIEndpoint] { registered.withLock { $0 } }

    /// Adds an endpoint for callers with one of `roles`. `maxBody`: bytes accepted. `authorize`: the endpoint's own
    /// check of this caller on this target (ownership), run before anything is replayed or done.
    func on(
        _ method: HTTPRequest.Method, _ path: String, roles: Set<StaffRole>, idempotent: Bool = false,
        maxBody: Int = 64 * 1024,
        doc: APIDoc, authorize: (@Sendable (APICall) async throws -> Void)? = nil,
        _ handler: @escaping @Sendable (APICall) async throws -> APIResponse
    ) {
        precondition(!roles.isEmpty, "a public endpoint is added with onPublic")
        registered.withLock {
            $0.append(APIEndpoint(method: method.rawValue, path: path, roles: roles, idempotent: idempotent, doc: doc))
        }
        let policy = StaffRolePolicy(roles: roles, method: method.rawValue, route: "/api/v1\(path)", logger: logger)
        authenticated.group()
            .add(
                middleware: AuthorizationPolicyMiddleware(
                    policy, deniedError: APIError.forbidden, context: StaffRequestContext.self)
            )
            .on(RouterPath(path), method: method) {
                [self] (request: Request, context: StaffRequestContext) async throws -> Response in
                // The policy middleware let no request without a caller through; this only keeps the type honest.
                guard let identity = context.identity else { throw APIError.unauthorized }
                let body: ByteBuffer
                do { body = try await request.body.collect(upTo: maxBody) } catch { throw APIError.tooLarge }
                let call = APICall(request: request, context: context, body: body, identity: identity)
                if let authorize { try await authorize(call) }
                guard idempotent, let key = request.headers[.idempotencyKey] else {
                    return try await handler(call).response
                }
                return try await replaying(key: key, for: identity, method: method, path: request.uri.path, body: body)
                { try await handler(call) }
            }
    }

    /// Adds an endpoint anyone may call, without credentials (no authenticator runs: a stale token sent along to
    /// `/auth/refresh` is no reason to refuse it).
    func onPublic(
        _ method: HTTPRequest.Method, _ path: String, maxBody: Int = 64 * 1024, doc: APIDoc,
        _ handler: @escaping @Sendable (PublicCall) async throws -> APIResponse
    ) {
        registered.withLock {
            $0.append(APIEndpoint(method: method.rawValue, path: path, roles: [], idempotent: false, doc: doc))
        }
        group.on(RouterPath(path), method: method) {
            (request: Request, context: StaffRequestContext) async throws -> Response in
            let body: ByteBuffer
            do { body = try await request.body.collect(upTo: maxBody) } catch { throw APIError.tooLarge }
            return try await handler(PublicCall(request: request, context: context, body: body)).response
        }
    }

    /// Runs `work` once per key and caller; a repeat with the same request gets the same answer, a different
    /// request under a used key is refused, and a repeat while the first is still running is told so (409).
    private func replaying(
        key: String, for identity: StaffIdentity, method: HTTPRequest.Method, path: String, body: ByteBuffer,
        _ work: () async throws -> APIResponse
    ) async throws -> Response {
        guard (1...200).contains(key.count), key.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            throw APIError.badRequest(
                "Idempotency-Key must be 1 to 200 visible ASCII characters", code: "invalid_idempotency_key")
        }
        var hasher = SHA256()
        hasher.update(data: Data("\(method.rawValue) \(path)\n".utf8))
        hasher.update(data: Data(body.readableBytesView))
        let fingerprint = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        let now = clock()
        let field = SealedField.idempotentAnswer(principal: identity.principal, key: key)
        let reused = APIError(
            status: .unprocessableContent, code: "idempotency_key_reused",
            message: "this Idempotency-Key was used for a different request")
        switch try await staff.claimIdempotencyKey(
            principal: identity.principal, key: key, requestHash: fingerprint, now: now,
            notBefore: now - Self.idempotencyTTL, abandonedBefore: now - Self.abandonedClaim)
        {
        case .answered(let requestHash, let status, let stored):
            guard requestHash == fingerprint else { throw reused }
            var response = APIResponse(
                status: HTTPResponse.Status(code: status), body: Data(try sealer.open(stored, as: field).utf8)
            ).response
            response.headers[.idempotentReplayed] = "true"
            return response
        case .inFlight(let requestHash):
            guard requestHash == fingerprint else { throw reused }
            var busy = APIError(
                status: .conflict, code: "idempotency_key_in_flight",
                message: "a request with this Idempotency-Key is still running; try again shortly")
            busy.retryAfter = 1
            throw busy
        case .claimed:
            break
        }
        let answer: APIResponse
        do {
            answer = try await work()
        } catch let error as APIError where error.status.code < 500 {
            // A refused request is an answer too: replaying it must not suddenly succeed later.
            try await keep(key: key, for: identity, field: field, status: Int(error.status.code), body: error.body)
            throw error
        } catch {
            // Our failure: the key is given back, so a retry runs the request again.
            try? await staff.releaseIdempotencyKey(principal: identity.principal, key: key)
            throw error
        }
        try await keep(key: key, for: identity, field: field, status: Int(answer.status.code), body: answer.body)
        return answer.response
    }

    /// Seconds after which a claimed key whose request never finished (its process died) may be claimed again.
    static let abandonedClaim: Int64 = 120

    /// Stores an answer sealed like other personal data, bound to its principal and key: answers carry phone
    /// numbers, and some a secret shown only once (a new API or courier token), which must never rest in plaintext.
    private func keep(
        key: String, for identity: StaffIdentity, field: SealedField, status: Int, body: Data
    ) async throws {
        try await staff.finishIdempotentRequest(
            principal: identity.principal, key: key, status: status,
            body: try sealer.seal(String(decoding: body, as: UTF8.self), as: field))
    }
}

extension HTTPField.Name {
    static let idempotencyKey = Self("Idempotency-Key")!
    static let idempotentReplayed = Self("Idempotent-Replayed")!
}

/// Every failure under `/api/v1` becomes the JSON error body; unexpected errors are logged and answered as a
/// plain 500 that reveals nothing.
struct APIErrorMiddleware: RouterMiddleware {
    typealias Context = StaffRequestContext
    let logger: Logger

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return error.response
        } catch let error as HTTPError where error.status == .unauthorized {
            // hummingbird-auth's answer to a request without a caller: ours, with `WWW-Authenticate`.
            return APIError.unauthorized.response
        } catch let error as HTTPError {
            let code =
                error.status == .notFound
                ? "not_found" : error.status == .methodNotAllowed ? "method_not_allowed" : "http_\(error.status.code)"
            return APIError(
                status: error.status, code: code,
                message: error.status == .notFound ? "no such endpoint" : error.status.reasonPhrase
            ).response
        } catch {
            logger.error(
                "staff API call failed",
                metadata: [
                    "dropmate.route": "\(context.endpointPath ?? request.uri.path)", "dropmate.error": "\(error)",
                ])
            return APIError.internalError.response
        }
    }
}
