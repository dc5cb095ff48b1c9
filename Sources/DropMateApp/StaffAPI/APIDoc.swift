/// What an endpoint tells its readers beyond what its registration already says. The path, method, path
/// parameters, roles, the `Idempotency-Key` header and the answers every endpoint of its kind can give (401, 403,
/// a bad request, a body too large, a key reused or in flight, a media type refused) are generated from the
/// registration (`OpenAPIDocument`); this carries the rest: the summary, the bodies' schemas (by name, from
/// `OpenAPISchemas`), query parameters and the answers particular to this endpoint.
struct APIDoc: Sendable, Hashable {
    var summary: String
    var body: Body?
    var query: [Parameter]
    var answer: Answer
    /// Refusals particular to this endpoint (404, 409, 429, …), beyond the generated ones.
    var errors: [ErrorAnswer]
    /// How `:id` in the path is written: a number (orders, staff, posts) or a slug (merchants, ads).
    var ids: IDs

    init(
        _ summary: String, body: Body? = nil, query: [Parameter] = [], answer: Answer, errors: [ErrorAnswer] = [],
        ids: IDs = .number
    ) {
        self.summary = summary
        self.body = body
        self.query = query
        self.answer = answer
        self.errors = errors
        self.ids = ids
    }

    enum IDs: Sendable, Hashable { case number, slug }

    /// The request body.
    enum Body: Sendable, Hashable {
        /// `application/json` of the named schema.
        case json(String, required: Bool = true)
        /// A JSON Merge Patch of the named schema (`application/merge-patch+json`, plain JSON accepted too).
        case mergePatch(String)
        /// Raw bytes of one of these media types.
        case binary([String])

        var isMergePatch: Bool { if case .mergePatch = self { true } else { false } }
    }

    /// The answer when all goes well.
    struct Answer: Sendable, Hashable {
        var status: Int
        var description: String
        /// Nil: no body.
        var schema: DocNode?
        var mediaType = "application/json"
        /// The shared "Done." answer (204, no body).
        var isNoContent = false

        static func ok(_ description: String, _ schema: String? = nil) -> Answer { status(200, description, schema) }
        static func created(_ description: String, _ schema: String? = nil) -> Answer {
            status(201, description, schema)
        }
        static func accepted(_ description: String, _ schema: String? = nil) -> Answer {
            status(202, description, schema)
        }
        static func status(_ status: Int, _ description: String, _ schema: String? = nil) -> Answer {
            Answer(status: status, description: description, schema: schema.map { DocNode.ref("schemas", $0) })
        }
        /// An answer whose body is described in place.
        static func inline(
            _ status: Int, _ description: String, _ schema: DocNode, mediaType: String = "application/json"
        ) -> Answer {
            Answer(status: status, description: description, schema: schema, mediaType: mediaType)
        }
        static let noContent = Answer(status: 204, description: "Done.", schema: nil, isNoContent: true)
    }

    /// A refusal: a status answered with the JSON error body, or one of the shared answers.
    struct ErrorAnswer: Sendable, Hashable, ExpressibleByIntegerLiteral {
        var status: Int
        /// A shared answer in `components/responses` (nil: `Error`).
        var shared: String?

        init(integerLiteral value: Int) { status = value }
        init(status: Int, shared: String?) {
            self.status = status
            self.shared = shared
        }
        /// 503 with `Retry-After`: the password hashing threads are saturated.
        static let busy = ErrorAnswer(status: 503, shared: "Busy")
    }

    /// A query parameter.
    struct Parameter: Sendable, Hashable {
        var node: DocNode

        static func query(
            _ name: String, _ schema: DocNode, required: Bool = false, description: String? = nil
        ) -> Parameter {
            var node: DocNode = ["name": .string(name), "in": "query"]
            if let description { node = node.setting("description", .string(description)) }
            if required { node = node.setting("required", true) }
            return Parameter(node: node.setting("schema", schema))
        }
        static let page = Parameter(node: .ref("parameters", "Page"))
        static let perPage = Parameter(node: .ref("parameters", "PerPage"))
    }
}
