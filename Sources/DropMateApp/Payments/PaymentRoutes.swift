import DropMateCore
import DropMateEngine
import DropMateWeChatPay
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// `GET /pay/{order}` (signed link from the confirmation), its script `/pay.js`, `POST /pay/{order}/cash` (货到付款,
/// the same signed link; `optional` only), and WeChat Pay's callback `POST /wechat/pay/notify`. Added only when
/// payment is on.
struct PaymentRoutes: Sendable {
    let service: PaymentService
    let signer: LinkSigner
    let renderer: ReplyRenderer
    let clock: @Sendable () -> Int64
    let logger: Logger

    func add(to router: Router<BasicRequestContext>) {
        router.get("/pay/:id") { request, context in try await page(request, context: context) }
        router.post("/pay/:id/cash") { request, context in try await cash(request, context: context) }
        // The language switch on the page a POST answered links here: a GET shows the pay page and changes nothing.
        router.get("/pay/:id/cash") { request, context in try await page(request, context: context) }
        router.get("/pay.js") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "public, max-age=300"],
                body: .init(byteBuffer: ByteBuffer(string: PayPage.script)))
        }
        router.post("/wechat/pay/notify") { request, _ in try await notify(request) }
    }

    /// The order a signed pay link names, or the page that refuses the link.
    func linkedOrder(
        _ request: Request, context: BasicRequestContext
    ) async throws -> (Order, expires: Int64, signature: String)? {
        guard let id = context.parameters.get("id", as: Int64.self),
            let expires = request.uri.queryParameters.get("exp", as: Int64.self),
            let signature = request.uri.queryParameters.get("sig")
        else { throw Refusal.badLink }
        switch signer.verify(purpose: "pay", id: "\(id)", expires: expires, signature: String(signature), now: clock())
        {
        case .forged: throw Refusal.forged
        case .expired: throw Refusal.expired
        case .valid: break
        }
        guard let order = try await service.engine.order(id: id) else { return nil }
        return (order, expires, String(signature))
    }

    enum Refusal: Error { case badLink, forged, expired }

    func refusing(_ request: Request, _ body: () async throws -> Response) async throws -> Response {
        let asked = PageLanguage(request)
        do { return try await body() } catch let refusal as Refusal {
            switch refusal {
            case .badLink: return asked.invalidLink(.badRequest)
            case .forged: return asked.invalidLink(.forbidden)
            case .expired:
                return asked.page(
                    title: asked("链接已过期", "Link expired"),
                    body: "<p>\(asked("付款链接已过期。", "This payment link has expired."))</p>", status: .gone)
            }
        }
    }

    func page(_ request: Request, context: BasicRequestContext) async throws -> Response {
        try await refusing(request) { try await payPage(request, context: context) }
    }

    func payPage(_ request: Request, context: BasicRequestContext) async throws -> Response {
        guard let linked = try await linkedOrder(request, context: context) else {
            return PageLanguage(request).orderNotFound()
        }
        let (order, expires, signature) = linked
        let id = order.id
        let l = PageLanguage(request, order: order)
        do {
            let cashAction = "/pay/\(id)/cash?exp=\(expires)&sig=\(signature)&lang=\(l.language.rawValue)"
            return PayPage.response(for: try await service.page(for: order), language: l, cashAction: cashAction)
        } catch let error as PayCallError {
            logger.error(
                "could not open the WeChat Pay transaction",
                metadata: ["dropmate.order_id": "\(id)", "dropmate.error": "\(error)"])
            return l.page(
                title: l("稍后再试", "Try again shortly"),
                body:
                    "<p>\(l("微信支付暂时无法连接，请稍后刷新本页。", "WeChat Pay is not reachable right now; please refresh in a moment."))</p>",
                status: .serviceUnavailable)
        }
    }

    /// 货到付款 chosen on the pay page: the same signed link, posted.
    func cash(_ request: Request, context: BasicRequestContext) async throws -> Response {
        try await refusing(request) {
            guard let linked = try await linkedOrder(request, context: context) else {
                return PageLanguage(request).orderNotFound()
            }
            let (order, expires, signature) = linked
            let l = PageLanguage(request, order: order)
            switch try await service.gate.chooseCashOnDelivery(order, now: clock()) {
            case .chosen:
                logger.info(
                    "cash on delivery chosen",
                    metadata: ["dropmate.order_id": "\(order.id)", "dropmate.source": "page"])
                return PayPage.cashChosen(
                    order, payURL: "/pay/\(order.id)?exp=\(expires)&sig=\(signature)&lang=\(l.language.rawValue)", l)
            case .alreadyPaid, .notPayable:
                let payment = try await service.payments.payment(orderID: order.id)?.payment
                let state: PaymentService.PageState =
                    payment.map { $0.isPaid ? .settled(order, $0) : .notPayable(order, $0) } ?? .notPayable(order, nil)
                return PayPage.response(for: state, language: l, cashAction: "")
            case .notOffered:
                return l.page(
                    title: l("订单 #\(order.id)", "Order #\(order.id)"),
                    body: "<p>\(PaymentReplies.cashOnDeliveryNotOffered(link: nil, language: l.language))</p>",
                    status: .conflict)
            }
        }
    }

    func notify(_ request: Request) async throws -> Response {
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: 64 * 1024) } catch {
            return Self.fail(413, "body too large")
        }
        let headers = PaySignatureVerifier.Headers { name in HTTPField.Name(name).flatMap { request.headers[$0] } }
        let answer: PaymentService.NotifyAnswer
        do {
            answer = try await service.notification(headers: headers, body: String(buffer: buffer))
        } catch {
            // Our own trouble (database down): a 5xx makes WeChat Pay deliver it again later.
            logger.error("WeChat Pay callback not processed", metadata: ["dropmate.error": "\(type(of: error))"])
            return Self.fail(500, "temporarily unavailable")
        }
        switch answer {
        case .accepted: return Response(status: .noContent)
        case .refused(let status, let message): return Self.fail(status, message)
        }
    }

    static func fail(_ status: Int, _ message: String) -> Response {
        let body =
            (try? String(decoding: JSONEncoder().encode(["code": "FAIL", "message": message]), as: UTF8.self))
            ?? #"{"code":"FAIL"}"#
        return Response(
            status: .init(code: status), headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
