import DropMateCore
import DropMateWeChatPay
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// `GET /pay/{order}` (signed link from the confirmation), its script `/pay.js`, and WeChat Pay's callback
/// `POST /wechat/pay/notify`. Added only when payment is on.
struct PaymentRoutes: Sendable {
    let service: PaymentService
    let signer: LinkSigner
    let renderer: ReplyRenderer
    let clock: @Sendable () -> Int64
    let logger: Logger

    func add(to router: Router<BasicRequestContext>) {
        router.get("/pay/:id") { request, context in try await page(request, context: context) }
        router.get("/pay.js") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "public, max-age=300"],
                     body: .init(byteBuffer: ByteBuffer(string: PayPage.script)))
        }
        router.post("/wechat/pay/notify") { request, _ in try await notify(request) }
    }

    func page(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let asked = PageLanguage(request)
        guard let id = context.parameters.get("id", as: Int64.self),
              let expires = request.uri.queryParameters.get("exp", as: Int64.self),
              let signature = request.uri.queryParameters.get("sig")
        else { return asked.invalidLink(.badRequest) }
        switch signer.verify(purpose: "pay", id: "\(id)", expires: expires, signature: String(signature), now: clock()) {
        case .forged: return asked.invalidLink(.forbidden)
        case .expired:
            return asked.page(title: asked("链接已过期", "Link expired"), body: "<p>\(asked("付款链接已过期。", "This payment link has expired."))</p>", status: .gone)
        case .valid: break
        }
        guard let order = try await service.engine.order(id: id) else { return asked.orderNotFound() }
        let l = PageLanguage(request, order: order)
        do {
            return PayPage.response(for: try await service.page(for: order), language: l)
        } catch let error as PayCallError {
            logger.error("could not open the WeChat Pay transaction", metadata: ["dropmate.order_id": "\(id)", "dropmate.error": "\(error)"])
            return l.page(title: l("稍后再试", "Try again shortly"),
                          body: "<p>\(l("微信支付暂时无法连接，请稍后刷新本页。", "WeChat Pay is not reachable right now; please refresh in a moment."))</p>", status: .serviceUnavailable)
        }
    }

    func notify(_ request: Request) async throws -> Response {
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: 64 * 1024) } catch { return Self.fail(413, "body too large") }
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
        let body = (try? String(decoding: JSONEncoder().encode(["code": "FAIL", "message": message]), as: UTF8.self)) ?? #"{"code":"FAIL"}"#
        return Response(status: .init(code: status), headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
