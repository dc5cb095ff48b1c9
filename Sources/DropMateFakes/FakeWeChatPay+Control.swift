import Foundation
import Hummingbird
import NIOCore

/// What a test process (the multi-process test, the attack suite) asks the fake over HTTP when it cannot call it
/// in-process: "the customer paid" (or a refund finished), optionally with the callback bent, and optionally
/// delivered to several notify URLs at once. Only for `fake-wechat` on loopback; never part of WeChat Pay's API.
extension FakeWeChatPay {
    /// The body of `POST /fake/pay/callback` (snake_case JSON).
    struct CallbackAsk: Decodable {
        /// The transaction the customer paid; or, with `outRefundNo`, the refund that finished.
        var outTradeNo: String?
        var outRefundNo: String?
        /// `SUCCESS`, `CLOSED` or `ABNORMAL` for a refund (default `SUCCESS`).
        var refundStatus: String?
        /// Reports another amount than the transaction's (a tampered callback).
        var amountFen: Int?
        var timestampOffset: Int64?
        var serial: String?
        var forgeSignature: Bool?
        var undecryptable: Bool?
        /// Notify URLs to POST the same callback to, all at once (one request per entry; repeat a URL for copies).
        var deliverTo: [String]?
    }

    /// The answer: the callback as sent (so a caller can replay it byte for byte) and each delivery's HTTP status.
    struct CallbackAnswer: Encodable {
        var headers: [String: String]
        var body: String
        var statuses: [Int]
    }

    /// `POST /fake/pay/callback` and `GET /fake/pay/transactions/{no}` (the transaction's state).
    public func addControlRoutes(to router: Router<BasicRequestContext>) {
        router.post("/fake/pay/callback") { request, _ -> Response in
            let buffer = try await request.body.collect(upTo: 1 << 16)
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            guard let ask = try? decoder.decode(CallbackAsk.self, from: Data(String(buffer: buffer).utf8)) else {
                return self.respond(400, #"{"code":"PARAM_ERROR","message":"body"}"#, signed: false)
            }
            let bending = Bending(
                timestampOffset: ask.timestampOffset ?? 0, serial: ask.serial,
                forgeSignature: ask.forgeSignature ?? false,
                undecryptable: ask.undecryptable ?? false)
            let callback: Callback
            do {
                if let refundNo = ask.outRefundNo {
                    callback = try self.finishRefund(refundNo, status: ask.refundStatus ?? "SUCCESS", bending: bending)
                } else if let tradeNo = ask.outTradeNo {
                    callback = try self.pay(tradeNo, amountFen: ask.amountFen, bending: bending)
                } else {
                    return self.respond(
                        400, #"{"code":"PARAM_ERROR","message":"out_trade_no or out_refund_no"}"#, signed: false)
                }
            } catch {
                return self.respond(404, #"{"code":"RESOURCE_NOT_EXISTS","message":"\#(error)"}"#, signed: false)
            }
            let urls = ask.deliverTo ?? []
            // Every copy starts before any is answered: concurrent deliveries, as WeChat Pay's retries can be.
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for url in urls { group.addTask { try await self.deliver(callback, to: url) } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            let answer = CallbackAnswer(
                headers: Dictionary(callback.headers, uniquingKeysWith: { $1 }), body: callback.body, statuses: statuses
            )
            return self.respond(200, try Self.json(answer), signed: false)
        }
        router.get("/fake/pay/transactions/{no}") { _, context -> Response in
            guard let transaction = self.transaction(context.parameters.get("no") ?? "") else {
                return self.respond(404, #"{"code":"ORDER_NOT_EXIST","message":"订单不存在"}"#, signed: false)
            }
            return self.respond(200, try Self.json(Self.transactionJSON(transaction, mchID: self.mchID)), signed: false)
        }
    }
}
