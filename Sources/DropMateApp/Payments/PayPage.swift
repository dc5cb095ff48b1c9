import DropMateCore
import DropMateWeChatPay
import Foundation
import Hummingbird

/// The pay page: total and items in the customer's language (`PageLanguage`), and a button whose script (`/pay.js`,
/// from this site only) hands the signed sheet to `WeixinJSBridge`. The sheet travels in `data-` attributes, escaped
/// by `HTML`, so the page needs no inline script and its policy allows scripts from itself alone.
enum PayPage {
    /// The pages' policy plus this site's script (and nothing else) for the pay button.
    static let contentSecurityPolicy = HTML.contentSecurityPolicy + "; script-src 'self'; connect-src 'none'"

    /// `cashAction` is where the 货到付款 button posts (the signed link's `/pay/{id}/cash?…`).
    static func response(for state: PaymentService.PageState, language l: PageLanguage, cashAction: String) -> Response
    {
        var response: Response
        switch state {
        case .pay(let order, let sheet, let cash):
            response = l.page(
                title: l("支付订单 #\(order.id)", "Pay order #\(order.id)"),
                body: """
                    \(summary(order, l))
                    <button id="pay" type="button" data-app-id="\(sheet.appId)" data-time-stamp="\(sheet.timeStamp)" data-nonce-str="\(sheet.nonceStr)"
                     data-package="\(sheet.package)" data-sign-type="\(sheet.signType)" data-pay-sign="\(sheet.paySign)">\(l("微信支付", "Pay with WeChat")) \(order.total)</button>
                    <p id="status" data-ok="\(l("已付款，谢谢！", "Paid, thank you!"))" data-cancel="\(l("已取消支付。", "Payment cancelled."))"
                     data-fail="\(l("支付没有完成，请重试。", "Payment did not go through; try again."))" data-outside="\(l("请在微信中打开此页面付款。", "Open this page in WeChat to pay."))"></p>
                    \(cashPart(cash, order: order, action: cashAction, l))
                    <script src="/pay.js"></script>
                    """)
        case .settled(let order, let payment):
            response = l.page(
                title: l("订单 #\(order.id)", "Order #\(order.id)"),
                body: """
                    \(summary(order, l))
                    <p class="ok">\(PaymentReplies.status(payment, language: l.language) ?? "")</p>
                    """)
        case .notPayable(let order, _):
            response = l.page(
                title: l("订单 #\(order.id)", "Order #\(order.id)"),
                body: """
                    \(summary(order, l))
                    <p>\(l("这个订单现在不能付款（\(order.status.rawValue)）。", "This order cannot be paid now (\(order.status.rawValue))."))</p>
                    """, status: .conflict)
        }
        response.headers[.contentSecurityPolicy] = contentSecurityPolicy
        return response
    }

    /// With `optional`: the 货到付款 button, or the note that it was chosen.
    static func cashPart(_ cash: PaymentService.CashOption, order: Order, action: String, _ l: PageLanguage) -> HTML {
        switch cash {
        case .none: return .empty
        case .chosen:
            return
                "<p class=\"ok\">\(l("您已选择货到付款，送达时付 \(order.total)。也可以现在用微信支付。", "You chose cash on delivery: pay \(order.total) when it arrives. You can still pay with WeChat Pay now."))</p>"
        case .offered:
            return """
                <form method="post" action="\(url: action)"><button type="submit">\(l("货到付款", "Cash on delivery"))</button></form>
                """
        }
    }

    /// After 货到付款 was chosen on the page.
    static func cashChosen(_ order: Order, payURL: String, _ l: PageLanguage) -> Response {
        var response = l.page(
            title: l("订单 #\(order.id)", "Order #\(order.id)"),
            body: """
                \(summary(order, l))
                <p class="ok">\(l("好的，货到付款：送达时请付 \(order.total)。", "OK, cash on delivery: please pay \(order.total) when it arrives."))</p>
                <p><a href="\(url: payURL)">\(l("改用微信支付", "Pay with WeChat Pay instead"))</a></p>
                """)
        response.headers[.contentSecurityPolicy] = contentSecurityPolicy
        return response
    }

    static func summary(_ order: Order, _ l: PageLanguage) -> HTML {
        var lines = order.lines.map { line -> HTML in
            "<li>\(line.name(l.language)) ×\(line.quantity) <span>\(line.total)</span></li>"
        }
        // What is paid is what the summary showed: the delivery fee is part of the total.
        lines.append(
            order.deliveryFee == .zero
                ? "<li>\(l("配送费", "Delivery")) <span>\(l("免费", "free"))</span></li>"
                : "<li>\(l("配送费", "Delivery")) <span>\(order.deliveryFee)</span></li>")
        return """
            <h1>\(l("订单", "Order")) #\(order.id)</h1>
            <ul>\(lines)</ul>
            <p class="price">\(l("合计", "Total")) \(order.total)</p>
            """
    }

    /// Served as `/pay.js`. Reads the sheet from the button and asks WeChat to show its pay sheet; the order is
    /// marked paid by WeChat Pay's callback, never by this script.
    static let script = """
        (function () {
          var button = document.getElementById('pay'), status = document.getElementById('status');
          if (!button || !status) { return; }
          function say(key) { status.textContent = status.getAttribute('data-' + key); }
          function pay() {
            if (typeof WeixinJSBridge === 'undefined') { say('outside'); return; }
            WeixinJSBridge.invoke('getBrandWCPayRequest', {
              appId: button.getAttribute('data-app-id'),
              timeStamp: button.getAttribute('data-time-stamp'),
              nonceStr: button.getAttribute('data-nonce-str'),
              package: button.getAttribute('data-package'),
              signType: button.getAttribute('data-sign-type'),
              paySign: button.getAttribute('data-pay-sign')
            }, function (res) {
              if (res.err_msg === 'get_brand_wcpay_request:ok') { say('ok'); button.disabled = true; }
              else if (res.err_msg === 'get_brand_wcpay_request:cancel') { say('cancel'); }
              else { say('fail'); }
            });
          }
          button.addEventListener('click', pay);
        })();
        """
}
