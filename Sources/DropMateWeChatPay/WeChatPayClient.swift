import DropMatePercentEncoding
import Foundation

/// Moves one request to WeChat Pay and back; the app implements it with AsyncHTTPClient. Knows nothing of signing.
public protocol PayTransport: Sendable {
    /// `url` is absolute; `headers` holds Authorization, Accept and Content-Type.
    func send(method: String, url: String, headers: [(String, String)], body: String?) async throws -> PayHTTPResponse
}

/// An answer as received: status, a header lookup (case-insensitive) and the body.
public struct PayHTTPResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: String

    /// `headers` keys in any case; lookups ignore case.
    public init(status: Int, headers: [String: String], body: String) {
        self.status = status
        self.headers = Dictionary(
            headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        self.body = body
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// What a call to WeChat Pay can end in besides success. `.rejected` carries WeChat Pay's own code
/// (e.g. `ORDER_NOT_EXIST`, `ORDERPAID`) for callers to switch on.
public enum PayCallError: Error, Sendable, Equatable, CustomStringConvertible {
    case rejected(status: Int, code: String, message: String)
    /// The answer's signature did not verify: nothing in it is believed.
    case unverifiedAnswer(WeChatPayError)
    case malformedAnswer(String)
    case transport(String)

    public var description: String {
        switch self {
        case .rejected(let status, let code, let message): "WeChat Pay refused (\(status) \(code)): \(message)"
        case .unverifiedAnswer(let error): "WeChat Pay's answer failed verification: \(error)"
        case .malformedAnswer(let what): "WeChat Pay's answer was malformed: \(what)"
        case .transport(let what): "WeChat Pay unreachable: \(what)"
        }
    }

    /// Worth trying again later (network trouble, WeChat Pay busy): 5xx, 429 and transport failures.
    public var isTransient: Bool {
        switch self {
        case .rejected(let status, let code, _):
            status >= 500 || status == 429 || code == "SYSTEM_ERROR" || code == "FREQUENCY_LIMITED"
        case .transport: true
        case .unverifiedAnswer, .malformedAnswer: false
        }
    }
}

/// WeChat Pay API v3 for one merchant: signs every request, verifies every answer's signature before decoding it.
public struct WeChatPayClient: Sendable {
    public let baseURL: String
    public let signer: PayRequestSigner
    public let verifier: PaySignatureVerifier
    let transport: any PayTransport
    let clock: @Sendable () -> Int64
    let nonce: @Sendable () -> String

    public init(
        baseURL: String, merchant: MerchantKey, verifier: PaySignatureVerifier, transport: any PayTransport,
        clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) },
        nonce: @escaping @Sendable () -> String = { PayNonce.make() }
    ) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.signer = PayRequestSigner(merchant: merchant)
        self.verifier = verifier
        self.transport = transport
        self.clock = clock
        self.nonce = nonce
    }

    public var mchID: String { signer.merchant.mchID }

    /// Creates (or, with the same out_trade_no and contents, gets back) a JSAPI transaction: its `prepay_id`.
    public func createJSAPI(_ request: JSAPIOrderRequest) async throws(PayCallError) -> String {
        struct Answer: Decodable { var prepay_id: String }
        let answer: Answer = try await call("POST", "/v3/pay/transactions/jsapi", body: request)
        return answer.prepay_id
    }

    public func queryTransaction(outTradeNo: String) async throws(PayCallError) -> PayTransaction {
        try await call(
            "GET",
            "/v3/pay/transactions/out-trade-no/\(PercentEncoding.pathSegment(outTradeNo))?mchid=\(PercentEncoding.queryValue(mchID))",
            body: Optional<String>.none)
    }

    /// Closes an unpaid transaction (204). Closing a closed one succeeds again.
    public func closeTransaction(outTradeNo: String) async throws(PayCallError) {
        struct Body: Encodable { var mchid: String }
        _ = try await raw(
            "POST", "/v3/pay/transactions/out-trade-no/\(PercentEncoding.pathSegment(outTradeNo))/close",
            body: Self.encode(Body(mchid: mchID)))
    }

    public func refund(_ request: RefundRequest) async throws(PayCallError) -> PayRefund {
        try await call("POST", "/v3/refund/domestic/refunds", body: request)
    }

    public func queryRefund(outRefundNo: String) async throws(PayCallError) -> PayRefund {
        try await call(
            "GET", "/v3/refund/domestic/refunds/\(PercentEncoding.pathSegment(outRefundNo))",
            body: Optional<String>.none)
    }

    /// The trade bill of `date` (`yyyy-MM-dd`): fetches the link, downloads it and checks its SHA-1.
    public func tradeBill(date: String) async throws(PayCallError) -> String {
        let link: TradeBillLink = try await call(
            "GET", "/v3/bill/tradebill?bill_date=\(date)&bill_type=ALL", body: Optional<String>.none)
        guard let url = URLComponents(string: link.downloadURL),
            let path = url.percentEncodedPath.isEmpty ? nil : url.percentEncodedPath
        else {
            throw .malformedAnswer("download_url")
        }
        let pathAndQuery = path + (url.percentEncodedQuery.map { "?" + $0 } ?? "")
        // The file itself is not signed (WeChat Pay documents this); its hash in the signed answer vouches for it.
        let file = try await send("GET", absoluteURL: link.downloadURL, pathAndQuery: pathAndQuery, body: nil)
        guard (200..<300).contains(file.status) else { throw Self.rejection(file) }
        guard link.hashType.uppercased() == "SHA1", PayDigest.sha1Hex(file.body) == link.hashValue.lowercased() else {
            throw .malformedAnswer("bill does not match its hash")
        }
        return file.body
    }

    // MARK: - Plumbing

    func call<Body: Encodable, Answer: Decodable>(
        _ method: String, _ pathAndQuery: String, body: Body?
    ) async throws(PayCallError) -> Answer {
        let response = try await raw(
            method, pathAndQuery, body: try body.map { body throws(PayCallError) in try Self.encode(body) })
        do { return try JSONDecoder().decode(Answer.self, from: Data(response.body.utf8)) } catch {
            throw .malformedAnswer(String(describing: Answer.self))
        }
    }

    /// Sends, checks the status and verifies the answer's signature.
    func raw(_ method: String, _ pathAndQuery: String, body: String?) async throws(PayCallError) -> PayHTTPResponse {
        let response = try await send(
            method, absoluteURL: baseURL + pathAndQuery, pathAndQuery: pathAndQuery, body: body)
        guard (200..<300).contains(response.status) else { throw Self.rejection(response) }
        do {
            try verifier.verify(headers: .init { response.header($0) }, body: response.body, now: clock())
        } catch {
            throw .unverifiedAnswer(error)
        }
        return response
    }

    func send(
        _ method: String, absoluteURL: String, pathAndQuery: String, body: String?
    ) async throws(PayCallError) -> PayHTTPResponse {
        let authorization = signer.authorization(
            method: method, pathAndQuery: pathAndQuery, body: body ?? "", timestamp: clock(), nonce: nonce())
        var headers = [("Authorization", authorization), ("Accept", "application/json"), ("User-Agent", "DropMate")]
        if body != nil { headers.append(("Content-Type", "application/json")) }
        do { return try await transport.send(method: method, url: absoluteURL, headers: headers, body: body) } catch {
            throw .transport(String(describing: type(of: error)))
        }
    }

    static func rejection(_ response: PayHTTPResponse) -> PayCallError {
        let error = try? JSONDecoder().decode(PayErrorBody.self, from: Data(response.body.utf8))
        return .rejected(
            status: response.status, code: error?.code ?? "HTTP_\(response.status)",
            message: String((error?.message ?? "").prefix(200)))
    }

    static func encode<Body: Encodable>(_ body: Body) throws(PayCallError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do { return String(decoding: try encoder.encode(body), as: UTF8.self) } catch {
            throw .malformedAnswer("request")
        }
    }
}
