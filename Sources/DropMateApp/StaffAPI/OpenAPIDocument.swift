import DropMateCore

/// The staff API's OpenAPI 3 document, generated from the registered endpoints: paths, methods, path parameters,
/// roles (`x-roles`), idempotency, the shared parameters and answers come from each `APIRouter` registration and its
/// `APIDoc`; only the component schemas are written by hand (`OpenAPISchemas.swift`). Served at
/// `/api/v1/openapi.yaml` and `/api/v1/openapi.json`, and read by the page at `/api/v1/docs`.
enum OpenAPIDocument {
    /// The whole document for these endpoints, in registration order.
    static func document(for endpoints: [APIEndpoint]) -> DocNode {
        var paths: [DocNode.Member] = []
        for endpoint in endpoints {
            let operation = DocNode.Member(key: endpoint.method.lowercased(), value: operation(for: endpoint))
            if let index = paths.firstIndex(where: { $0.key == endpoint.openAPIPath }),
                case .map(var operations) = paths[index].value
            {
                operations.append(operation)
                paths[index].value = .map(operations)
            } else {
                paths.append(DocNode.Member(key: endpoint.openAPIPath, value: .map([operation])))
            }
        }
        return [
            "openapi": "3.0.3",
            "info": ["title": "DropMate staff API", "version": "1.0", "description": .string(overview)],
            "servers": [["url": "/api/v1"]],
            "security": [["bearer": []]],
            "components": [
                "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer"]],
                "parameters": parameters,
                "responses": responses,
                "schemas": schemas,
            ],
            "paths": .map(paths),
        ]
    }

    /// One operation: what the registration knows, what its `APIDoc` adds, and the answers its kind implies.
    static func operation(for endpoint: APIEndpoint) -> DocNode {
        let doc = endpoint.doc
        var operation: DocNode = ["summary": .string(doc.summary)]
        if endpoint.roles.isEmpty { operation = operation.setting("security", []) }
        operation = operation.setting(
            "x-roles", .list(StaffRole.allCases.filter(endpoint.roles.contains).map { .string($0.rawValue) }))
        if endpoint.idempotent { operation = operation.setting("x-idempotent", true) }

        var parameters = endpoint.pathParameters.map { pathParameter($0, ids: doc.ids) }
        parameters += doc.query.map(\.node)
        if endpoint.idempotent { parameters.append(.ref("parameters", "IdempotencyKey")) }
        if !parameters.isEmpty { operation = operation.setting("parameters", .list(parameters)) }

        if let body = doc.body { operation = operation.setting("requestBody", requestBody(body)) }

        var answers: [Int: DocNode] = [:]
        for status in generatedRefusals(for: endpoint) { answers[status] = .ref("responses", "Error") }
        for error in doc.errors { answers[error.status] = .ref("responses", error.shared ?? "Error") }
        var responses: DocNode = [:]
        responses = responses.setting(String(doc.answer.status), answer(doc.answer))
        for (status, refusal) in answers.sorted(by: { $0.key < $1.key }) {
            responses = responses.setting(String(status), refusal)
        }
        return operation.setting("responses", responses)
    }

    /// The refusals any endpoint of this kind can answer, whatever it does: no or bad credentials (401), a role not
    /// admitted (403), an unreadable path id, query or body or a bad `Idempotency-Key` (400), a body over its limit
    /// (413), a key still in flight (409) or reused for another request (422), a patch of another media type (415).
    static func generatedRefusals(for endpoint: APIEndpoint) -> Set<Int> {
        var statuses = Set<Int>()
        if !endpoint.roles.isEmpty { statuses.insert(401) }
        if !endpoint.roles.isEmpty, endpoint.roles != Set(StaffRole.allCases) { statuses.insert(403) }
        if endpoint.idempotent { statuses.formUnion([400, 409, 422]) }
        if !endpoint.pathParameters.isEmpty || !endpoint.doc.query.isEmpty { statuses.insert(400) }
        if let body = endpoint.doc.body {
            statuses.formUnion([400, 413])
            if body.isMergePatch { statuses.insert(415) }
        }
        return statuses
    }

    private static func pathParameter(_ name: String, ids: APIDoc.IDs) -> DocNode {
        switch name {
        case "id": .ref("parameters", ids == .slug ? "Slug" : "Id")
        case "openid": .ref("parameters", "OpenID")
        case "date": ["name": "date", "in": "path", "required": true, "schema": ["type": "string", "format": "date"]]
        default:
            [
                "name": .string(name), "in": "path", "required": true,
                "schema": ["type": "integer", "format": "int64", "minimum": 1],
            ]
        }
    }

    private static func requestBody(_ body: APIDoc.Body) -> DocNode {
        switch body {
        case .json(let schema, let required):
            ["required": .bool(required), "content": ["application/json": ["schema": .ref("schemas", schema)]]]
        case .mergePatch(let schema):
            [
                "required": true,
                "content": [
                    "application/merge-patch+json": ["schema": .ref("schemas", schema)],
                    "application/json": ["schema": .ref("schemas", schema)],
                ],
            ]
        case .binary(let types):
            [
                "required": true,
                "content": .map(
                    types.map { DocNode.Member(key: $0, value: ["schema": ["type": "string", "format": "binary"]]) }),
            ]
        }
    }

    private static func answer(_ answer: APIDoc.Answer) -> DocNode {
        if answer.isNoContent { return .ref("responses", "NoContent") }
        var node: DocNode = ["description": .string(answer.description)]
        if let schema = answer.schema {
            node = node.setting("content", .map([DocNode.Member(key: answer.mediaType, value: ["schema": schema])]))
        }
        return node
    }

    static let parameters: DocNode = [
        "Id": [
            "name": "id", "in": "path", "required": true,
            "schema": ["type": "integer", "format": "int64", "minimum": 1],
        ],
        "Slug": [
            "name": "id", "in": "path", "required": true, "schema": ["type": "string", "pattern": "^[a-z0-9-]{1,64}$"],
        ],
        "OpenID": [
            "name": "openid", "in": "path", "required": true,
            "schema": ["type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"],
        ],
        "IdempotencyKey": [
            "name": "Idempotency-Key", "in": "header", "required": false,
            "schema": ["type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[!-~]+$"],
        ],
        "Page": ["name": "page", "in": "query", "schema": ["type": "integer", "minimum": 1, "maximum": 100000]],
        "PerPage": ["name": "per_page", "in": "query", "schema": ["type": "integer", "minimum": 1, "maximum": 100]],
    ]

    static let responses: DocNode = [
        "Error": [
            "description": "The request was refused; the body says why.",
            "content": ["application/json": ["schema": .ref("schemas", "Error")]],
        ],
        "NoContent": ["description": "Done."],
        "Busy": [
            "description": "Too many sign-ins at once; try again after `Retry-After` seconds.",
            "content": ["application/json": ["schema": .ref("schemas", "Error")]],
        ],
    ]

    static let overview = """
        Staff (admins, dispatchers, couriers) run the business through this API. Log in at /auth/login and send the
        token as `Authorization: Bearer <token>`; API tokens (`dms_…`) work the same way. The web console's pages call it
        with their session cookie and the session's CSRF token in `X-CSRF-Token`. Each operation lists the roles it
        admits in `x-roles`; any other role gets 403. Writes marked `x-idempotent` honour an `Idempotency-Key` header:
        a repeat gets the first answer (with `Idempotent-Replayed: true`), a repeat while the first still runs gets 409
        `idempotency_key_in_flight`, a key used for a different request gets 422 `idempotency_key_reused`. Keys are the
        caller's own (a signed-in staff member, one API token, one courier app) and answers are kept 24 hours. Errors
        are `{"error": {"code", "message"}}`. A readable version of this document is at /api/v1/docs.

        An access token lives 15 minutes. A request with an expired one gets 401 `token_expired` and
        `WWW-Authenticate: Bearer error="invalid_token", error_description="the access token expired"`: get a new one
        with POST /auth/refresh. Any other bad or missing credential is 401 `unauthorized`.

        Times (`format: date-time`) are ISO 8601 in the business time zone with its offset, e.g.
        `2026-12-05T15:30:00+08:00` (DROPMATE_UTC_OFFSET_HOURS, default +08:00). Requests may send a time with any offset
        or in UTC (`2026-12-05T07:30:00Z` is the same instant); where a date alone is allowed it is that day's midnight in
        the business time zone.

        `PATCH` changes part of a resource as a JSON Merge Patch (RFC 7396, `application/merge-patch+json`; plain
        `application/json` is accepted too): a member left out stays as it is, `null` clears it where it may be empty (a
        required one answers 400), any other value replaces it; the result is checked as a full `PUT` of it would be.
        Read-only members may be sent unchanged, never changed (400 `read_only`). The audit log records, for every
        update, only the members that changed, before and after, with phone numbers masked.

        """
}
