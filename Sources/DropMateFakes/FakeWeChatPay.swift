import AsyncHTTPClient
import Crypto
import CryptoExtras
import DropMateWeChatPay
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// WeChat Pay API v3 as a real HTTP server on loopback: checks every request's `WECHATPAY2-SHA256-RSA2048`
/// Authorization with the merchant's public key, keeps JSAPI transactions (create is idempotent per out_trade_no,
/// as WeChat Pay's is), refunds and a trade bill, signs every answer with its own platform key, and sends signed,
/// AEAD_AES_256_GCM-encrypted payment and refund callbacks to a notify URL when a test says the customer paid.
public final class FakeWeChatPay: Sendable {
    public let mchID: String
    public let appID: String
    public let apiV3Key: String
    /// The platform key's id, as `WECHAT_PAY_PUBLIC_KEY_ID`.
    public let publicKeyID: String
    /// WeChat Pay's public key (PEM), as `WECHAT_PAY_PUBLIC_KEY_FILE` holds it.
    public let platformPublicKeyPEM: String
    let platformSigner: MerchantKey
    let merchantPublicKey: PlatformPublicKey
    let cipher: PayResourceCipher
    let clock: @Sendable () -> Int64

    public struct Transaction: Sendable, Equatable {
        public var request: JSAPIOrderRequest
        public var prepayID: String
        /// NOTPAY, SUCCESS, CLOSED, REFUND.
        public var state: String
        public var transactionID: String?
        public var successTime: String?
    }

    public struct Refund: Sendable, Equatable {
        public var request: RefundRequest
        public var refundID: String
        /// PROCESSING, SUCCESS, CLOSED, ABNORMAL.
        public var status: String
    }

    /// A callback ready to send: the headers and body WeChat Pay would POST.
    public struct Callback: Sendable {
        public var headers: [(String, String)]
        public var body: String
    }

    struct State {
        var transactions: [String: Transaction] = [:]
        var refunds: [String: Refund] = [:]
        var requests: [String] = []
        var refusedAuthorizations = 0
        var sequence = 0
        /// Answer every call with this status and code instead (an outage, a busy WeChat Pay).
        var failure: (status: Int, code: String)?
        /// Sign answers with a wrong key (tests that the client refuses to believe them).
        var forgeAnswers = false
    }

    let state = Mutex(State())

    /// `merchantPublicKeyPEM` is the public half of `WECHAT_PAY_PRIVATE_KEY_FILE`. Makes a fresh platform key.
    public init(
        mchID: String = "1900000109", appID: String, merchantPublicKeyPEM: String,
        apiV3Key: String = "DropMateFakeApiV3Key0123456789ab",
        publicKeyID: String = "PUB_KEY_ID_0119000001092026120500000000000001",
        clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
    ) throws {
        let platform = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        self.mchID = mchID
        self.appID = appID
        self.apiV3Key = apiV3Key
        self.publicKeyID = publicKeyID
        self.platformPublicKeyPEM = platform.publicKey.pemRepresentation
        self.platformSigner = try MerchantKey(
            mchID: "wechatpay", certificateSerial: publicKeyID, privateKeyPEM: platform.pemRepresentation)
        self.merchantPublicKey = try PlatformPublicKey(keyID: "merchant", publicKeyPEM: merchantPublicKeyPEM)
        self.cipher = PayResourceCipher(key: try APIv3Key(apiV3Key))
        self.clock = clock
    }

    // MARK: - What tests look at and control

    public func transaction(_ outTradeNo: String) -> Transaction? { state.withLock { $0.transactions[outTradeNo] } }
    public func refund(_ outRefundNo: String) -> Refund? { state.withLock { $0.refunds[outRefundNo] } }
    public var refunds: [Refund] { state.withLock { Array($0.refunds.values) } }
    /// "METHOD path" of every request whose Authorization verified, in order.
    public var requests: [String] { state.withLock { $0.requests } }
    public var refusedAuthorizations: Int { state.withLock { $0.refusedAuthorizations } }
    public func failEveryCall(status: Int, code: String) { state.withLock { $0.failure = (status, code) } }
    public func recover() { state.withLock { $0.failure = nil } }
    public func forgeAnswers(_ forge: Bool) { state.withLock { $0.forgeAnswers = forge } }

    /// How a callback is bent on purpose: what an attacker or a broken network would deliver (refusal tests).
    public struct Bending: Sendable, Equatable {
        /// Seconds added to the signed `Wechatpay-Timestamp` (negative: an old, replayed-late callback).
        public var timestampOffset: Int64
        /// Another `Wechatpay-Serial` (a key id that is not the configured one), still signed with the real key.
        public var serial: String?
        /// The signature does not verify (signed over other bytes).
        public var forgeSignature: Bool
        /// The resource is encrypted with another API v3 key: signed correctly, undecryptable.
        public var undecryptable: Bool

        public init(
            timestampOffset: Int64 = 0, serial: String? = nil, forgeSignature: Bool = false, undecryptable: Bool = false
        ) {
            self.timestampOffset = timestampOffset
            self.serial = serial
            self.forgeSignature = forgeSignature
            self.undecryptable = undecryptable
        }

        public static let none = Bending()
    }

    /// The customer paid in WeChat: the transaction becomes SUCCESS (once). Returns the callback to deliver.
    @discardableResult
    public func pay(_ outTradeNo: String, amountFen: Int? = nil, bending: Bending = .none) throws -> Callback {
        let transaction: Transaction = try state.withLock { state in
            guard var transaction = state.transactions[outTradeNo] else {
                throw FakePayError.noSuchTransaction(outTradeNo)
            }
            if transaction.state == "NOTPAY" {
                state.sequence += 1
                transaction.state = "SUCCESS"
                transaction.transactionID = "42000019\(String(format: "%012d", state.sequence))\(outTradeNo.count)"
                transaction.successTime = Self.rfc3339(clock())
                state.transactions[outTradeNo] = transaction
            }
            return transaction
        }
        var resource = Self.transactionJSON(transaction, mchID: mchID)
        if let amountFen { resource.amount?.total = amountFen }  // a tampered amount, for refusal tests
        return try callback(
            event: "TRANSACTION.SUCCESS", summary: "支付成功", originalType: "transaction", resource: resource,
            bending: bending)
    }

    /// A payment DropMate never asked for (made some other way on the same merchant number), for reconciliation.
    public func recordForeignPayment(outTradeNo: String, amountFen: Int, openID: String = "o_elsewhere") {
        state.withLock { state in
            state.sequence += 1
            let request = JSAPIOrderRequest(
                appid: appID, mchid: mchID, description: "其他", outTradeNo: outTradeNo, timeExpire: nil,
                notifyURL: "https://elsewhere.example/notify", totalFen: amountFen, openID: openID)
            state.transactions[outTradeNo] = Transaction(
                request: request, prepayID: "wx-foreign-\(state.sequence)", state: "SUCCESS",
                transactionID: "4200\(String(format: "%010d", state.sequence))", successTime: Self.rfc3339(clock()))
        }
    }

    /// The refund went through (or, with another status, did not): returns the refund callback.
    public func finishRefund(
        _ outRefundNo: String, status: String = "SUCCESS", bending: Bending = .none
    ) throws -> Callback {
        let refund: Refund = try state.withLock { state in
            guard var refund = state.refunds[outRefundNo] else { throw FakePayError.noSuchRefund(outRefundNo) }
            refund.status = status
            state.refunds[outRefundNo] = refund
            if status == "SUCCESS", var transaction = state.transactions[refund.request.outTradeNo] {
                transaction.state = "REFUND"
                state.transactions[refund.request.outTradeNo] = transaction
            }
            return refund
        }
        return try callback(
            event: "REFUND.\(status)", summary: "退款状态", originalType: "refund", resource: refundJSON(refund),
            bending: bending)
    }

    /// A callback signed and encrypted as WeChat Pay sends them, or bent as `bending` says.
    func callback<Resource: Encodable>(
        event: String, summary: String, originalType: String, resource: Resource, bending: Bending = .none
    ) throws -> Callback {
        let plaintext = try Self.encoder.encode(resource)
        let nonce = String(PayNonce.make().prefix(12))
        let encrypting =
            bending.undecryptable ? PayResourceCipher(key: try APIv3Key("AnotherMerchantsApiV3Key98765432")) : cipher
        let ciphertext = try encrypting.encrypt(plaintext, nonce: nonce, associatedData: originalType)
        let id = state.withLock { state -> Int in
            state.sequence += 1; return state.sequence
        }
        let envelope = PayNotification(
            id: "EV-\(id)", createTime: Self.rfc3339(clock()), eventType: event, summary: summary,
            resource: .init(
                originalType: originalType, ciphertext: ciphertext, associatedData: originalType, nonce: nonce))
        let body = String(decoding: try Self.encoder.encode(envelope), as: UTF8.self)
        return Callback(headers: signedHeaders(body: body, bending: bending), body: body)
    }

    /// POSTs `callback` to `url` and returns the HTTP status our server answered.
    public func deliver(_ callback: Callback, to url: String) async throws -> Int {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in callback.headers { request.headers.add(name: name, value: value) }
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: callback.body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        _ = try await response.body.collect(upTo: 1 << 16)
        return Int(response.status.code)
    }

    // MARK: - The API

    public var router: Router<BasicRequestContext> {
        let router = Router()
        addRoutes(to: router)
        return router
    }

    /// WeChat Pay's API v3 routes (`/v3/...`), on `router`.
    public func addRoutes(to router: Router<BasicRequestContext>) {
        router.post("/v3/pay/transactions/jsapi") { request, _ in
            try await self.handle(request) { body in try self.createJSAPI(body) }
        }
        router.get("/v3/pay/transactions/out-trade-no/{no}") { request, context in
            let no = context.parameters.get("no") ?? ""
            return try await self.handle(request) { _ in
                guard request.uri.queryParameters.get("mchid") == self.mchID else {
                    return Self.error(400, "PARAM_ERROR", "mchid")
                }
                guard let transaction = self.transaction(no) else { return Self.error(404, "ORDER_NOT_EXIST", "订单不存在") }
                return (200, try Self.json(Self.transactionJSON(transaction, mchID: self.mchID)))
            }
        }
        router.post("/v3/pay/transactions/out-trade-no/{no}/close") { request, context in
            let no = context.parameters.get("no") ?? ""
            return try await self.handle(request) { _ in
                self.state.withLock { state in
                    guard var transaction = state.transactions[no] else {
                        return Self.error(404, "ORDER_NOT_EXIST", "订单不存在")
                    }
                    if transaction.state == "SUCCESS" || transaction.state == "REFUND" {
                        return Self.error(400, "ORDERPAID", "订单已支付")
                    }
                    transaction.state = "CLOSED"
                    state.transactions[no] = transaction
                    return (204, "")
                }
            }
        }
        router.post("/v3/refund/domestic/refunds") { request, _ in
            try await self.handle(request) { body in try self.createRefund(body) }
        }
        router.get("/v3/refund/domestic/refunds/{no}") { request, context in
            let no = context.parameters.get("no") ?? ""
            return try await self.handle(request) { _ in
                guard let refund = self.refund(no) else { return Self.error(404, "RESOURCE_NOT_EXISTS", "退款单不存在") }
                return (200, try Self.json(self.refundJSON(refund)))
            }
        }
        router.get("/v3/bill/tradebill") { request, _ in
            try await self.handle(request) { _ in
                guard let found = request.uri.queryParameters.get("bill_date") else {
                    return Self.error(400, "PARAM_ERROR", "bill_date")
                }
                let date = String(found)
                let bill = self.tradeBill(date: date)
                let host = request.head.authority ?? "127.0.0.1"
                let link = TradeBillLink(
                    hashType: "SHA1", hashValue: Self.sha1(bill),
                    downloadURL: "http://\(host)/v3/billdownload/file?bill_date=\(date)&token=fake")
                return (200, try Self.json(link))
            }
        }
        router.get("/v3/billdownload/file") { request, _ in
            try await self.handle(request, signsAnswer: false) { _ in
                (200, self.tradeBill(date: String(request.uri.queryParameters.get("bill_date") ?? "")))
            }
        }
    }

    /// Verifies the Authorization, runs `work` on the body, signs the answer.
    func handle(
        _ request: Request, signsAnswer: Bool = true, _ work: (String) throws -> (Int, String)
    ) async throws -> Response {
        let body = String(buffer: try await request.body.collect(upTo: 1 << 20))
        let pathAndQuery = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
        guard let header = request.headers[.authorization], let authorization = PayAuthorization(header: header),
            authorization.mchID == mchID, abs(authorization.timestamp - clock()) <= 300,
            merchantPublicKey.isValidSignature(
                authorization.signature,
                for: PayRequestSigner.message(
                    method: request.method.rawValue, pathAndQuery: pathAndQuery, timestamp: authorization.timestamp,
                    nonce: authorization.nonce, body: body))
        else {
            state.withLock { $0.refusedAuthorizations += 1 }
            return respond(401, #"{"code":"SIGN_ERROR","message":"签名错误"}"#, signed: true)
        }
        let failure = state.withLock { state in
            state.requests.append("\(request.method.rawValue) \(request.uri.path)")
            return state.failure
        }
        if let failure {
            return respond(failure.status, #"{"code":"\#(failure.code)","message":"scripted"}"#, signed: true)
        }
        let (status, answer) = try work(body)
        return respond(status, answer, signed: signsAnswer)
    }

    func respond(_ status: Int, _ body: String, signed: Bool) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        headers[HTTPField.Name("Request-ID")!] = UUID().uuidString
        if signed {
            for (name, value) in signedHeaders(body: body) { headers[HTTPField.Name(name)!] = value }
        }
        return Response(
            status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    func signedHeaders(body: String, bending: Bending = .none) -> [(String, String)] {
        let timestamp = String(clock() + bending.timestampOffset), nonce = PayNonce.make()
        let message = PaySignatureVerifier.message(timestamp: timestamp, nonce: nonce, body: body)
        let forge = state.withLock { $0.forgeAnswers } || bending.forgeSignature
        var signature = platformSigner.sign(message)
        if forge { signature = platformSigner.sign(message + "x") }
        return [
            ("Wechatpay-Timestamp", timestamp), ("Wechatpay-Nonce", nonce), ("Wechatpay-Signature", signature),
            ("Wechatpay-Serial", bending.serial ?? publicKeyID),
        ]
    }

    func createJSAPI(_ body: String) throws -> (Int, String) {
        guard let request = try? JSONDecoder().decode(JSAPIOrderRequest.self, from: Data(body.utf8)) else {
            return Self.error(400, "PARAM_ERROR", "body")
        }
        guard request.mchid == mchID, request.appid == appID else {
            return Self.error(400, "APPID_MCHID_NOT_MATCH", "appid和mch_id不匹配")
        }
        guard request.amount.total > 0, request.amount.currency == "CNY" else {
            return Self.error(400, "PARAM_ERROR", "amount")
        }
        guard !request.outTradeNo.isEmpty, request.outTradeNo.count <= 32 else {
            return Self.error(400, "PARAM_ERROR", "out_trade_no")
        }
        return try state.withLock { state in
            if let existing = state.transactions[request.outTradeNo] {
                switch existing.state {
                case "SUCCESS", "REFUND": return Self.error(400, "ORDERPAID", "该订单已支付")
                case "CLOSED": return Self.error(400, "ORDER_CLOSED", "订单已关闭")
                default: break
                }
                guard existing.request.amount == request.amount, existing.request.payer == request.payer,
                    existing.request.description == request.description
                else {
                    return Self.error(400, "INVALID_REQUEST", "201 商户订单号重复")
                }
                return (200, try Self.json(["prepay_id": existing.prepayID]))
            }
            state.sequence += 1
            let prepayID = "wx\(String(format: "%014d", state.sequence))fake"
            state.transactions[request.outTradeNo] = Transaction(request: request, prepayID: prepayID, state: "NOTPAY")
            return (200, try Self.json(["prepay_id": prepayID]))
        }
    }

    func createRefund(_ body: String) throws -> (Int, String) {
        guard let request = try? JSONDecoder().decode(RefundRequest.self, from: Data(body.utf8)) else {
            return Self.error(400, "PARAM_ERROR", "body")
        }
        return try state.withLock { state in
            if let existing = state.refunds[request.outRefundNo] {
                guard existing.request.amount == request.amount else {
                    return Self.error(400, "INVALID_REQUEST", "退款单号重复")
                }
                return (
                    200,
                    try Self.json(
                        refundJSON(existing, transactionID: state.transactions[request.outTradeNo]?.transactionID))
                )
            }
            guard let transaction = state.transactions[request.outTradeNo],
                transaction.state == "SUCCESS" || transaction.state == "REFUND"
            else {
                return Self.error(404, "RESOURCE_NOT_EXISTS", "订单不存在或未支付")
            }
            let refunded = state.refunds.values.filter {
                $0.request.outTradeNo == request.outTradeNo && $0.status != "CLOSED"
            }.reduce(0) { $0 + $1.request.amount.refund }
            guard request.amount.total == transaction.request.amount.total, request.amount.refund > 0,
                refunded + request.amount.refund <= transaction.request.amount.total
            else {
                return Self.error(400, "NOT_ENOUGH", "退款金额超过订单金额")
            }
            state.sequence += 1
            let refund = Refund(
                request: request, refundID: "50300\(String(format: "%012d", state.sequence))", status: "PROCESSING")
            state.refunds[request.outRefundNo] = refund
            return (200, try Self.json(refundJSON(refund, transactionID: transaction.transactionID)))
        }
    }

    /// `transactionID` nil: looked up (never from inside `state.withLock`).
    func refundJSON(_ refund: Refund, transactionID known: String?? = nil) -> PayRefund {
        let transactionID = known ?? state.withLock { $0.transactions[refund.request.outTradeNo]?.transactionID }
        return PayRefund(
            mchid: mchID, outTradeNo: refund.request.outTradeNo, transactionID: transactionID,
            outRefundNo: refund.request.outRefundNo,
            refundID: refund.refundID, status: refund.status, refundStatus: refund.status,
            successTime: refund.status == "SUCCESS" ? Self.rfc3339(clock()) : nil,
            amount: .init(
                total: refund.request.amount.total, refund: refund.request.amount.refund,
                payerTotal: refund.request.amount.total, payerRefund: refund.request.amount.refund))
    }

    static func transactionJSON(_ transaction: Transaction, mchID: String) -> PayTransaction {
        PayTransaction(
            appid: transaction.request.appid, mchid: mchID, outTradeNo: transaction.request.outTradeNo,
            transactionID: transaction.transactionID,
            tradeState: transaction.state, tradeStateDesc: nil, successTime: transaction.successTime,
            payer: .init(openid: transaction.request.payer.openid),
            amount: .init(
                total: transaction.request.amount.total,
                payerTotal: transaction.state == "NOTPAY" ? nil : transaction.request.amount.total))
    }

    /// The day's bill in WeChat Pay's layout: a header line, one line per paid transaction and per refund (values
    /// prefixed with a backquote), then totals.
    func tradeBill(date: String) -> String {
        let (transactions, refunds) = state.withLock { (Array($0.transactions.values), Array($0.refunds.values)) }
        var lines = [
            "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率"
        ]
        func yuan(_ fen: Int) -> String { String(format: "%d.%02d", fen / 100, fen % 100) }
        for transaction in transactions.sorted(by: { $0.request.outTradeNo < $1.request.outTradeNo })
        where transaction.transactionID != nil && (transaction.successTime ?? "").hasPrefix(date) {
            let r = transaction.request
            lines.append(
                "`\(transaction.successTime!),`\(r.appid),`\(mchID),`0,`,`\(transaction.transactionID!),`\(r.outTradeNo),`\(r.payer.openid),`JSAPI,`SUCCESS,`OTHERS,`CNY,`\(yuan(r.amount.total)),`0.00,`0,`0,`0.00,`0.00,`,`,`\(r.description),`,`0.00000,`0.60%"
            )
        }
        for refund in refunds.sorted(by: { $0.request.outRefundNo < $1.request.outRefundNo })
        where refund.status == "SUCCESS" {
            let transaction = transactions.first { $0.request.outTradeNo == refund.request.outTradeNo }
            lines.append(
                "`\(Self.rfc3339(clock())),`\(appID),`\(mchID),`0,`,`\(transaction?.transactionID ?? ""),`\(refund.request.outTradeNo),`\(transaction?.request.payer.openid ?? ""),`JSAPI,`REFUND,`OTHERS,`CNY,`0.00,`0.00,`\(refund.refundID),`\(refund.request.outRefundNo),`\(yuan(refund.request.amount.refund)),`0.00,`ORIGINAL,`SUCCESS,`,`,`0.00000,`0.60%"
            )
        }
        lines.append("总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额")
        lines.append("`\(lines.count - 2),`0.00,`0.00,`0.00,`0.00000,`0.00,`0.00")
        return lines.joined(separator: "\n") + "\n"
    }

    static func error(_ status: Int, _ code: String, _ message: String) -> (Int, String) {
        (status, (try? json(PayErrorBody(code: code, message: message))) ?? "{}")
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func json<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func sha1(_ text: String) -> String {
        Insecure.SHA1.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// `2026-12-05T12:00:00+08:00`, as WeChat Pay writes times.
    static func rfc3339(_ seconds: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 8 * 3600)
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ssxxx"
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}

public enum FakePayError: Error, Sendable {
    case noSuchTransaction(String)
    case noSuchRefund(String)
}
