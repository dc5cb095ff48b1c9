import DropMateCore
import DropMateWeChatPay
import Foundation
import Hummingbird

/// The pay page: total and items in both languages, and a button whose script (`/pay.js`, from this site only)
/// hands the signed sheet to `WeixinJSBridge`. The sheet travels in `data-` attributes, escaped by `HTML`, so the
/// page needs no inline script and its policy allows scripts from itself alone.
enum PayPage {
    /// The pages' policy plus this site's script (and nothing else) for the pay button.
    static let contentSecurityPolicy = HTML.contentSecurityPolicy + "; script-src 'self'; connect-src 'none'"

    static func response(for state: PaymentService.PageState) -> Response {
        var response: Response
        switch state {
        case .pay(let order, let sheet):
            response = HTML.page(title: "支付订单 #\(order.id)", body: """
                \(summary(order))
                <button id="pay" type="button" data-app-id="\(sheet.appId)" data-time-stamp="\(sheet.timeStamp)" data-nonce-str="\(sheet.nonceStr)"
                 data-package="\(sheet.package)" data-sign-type="\(sheet.signType)" data-pay-sign="\(sheet.paySign)">微信支付 \(order.total) · Pay with WeChat</button>
                <p id="status" data-ok="已付款，谢谢！Paid, thank you!" data-cancel="已取消支付。Payment cancelled." data-fail="支付没有完成，请重试。Payment did not go through; try again."
                 data-outside="请在微信中打开此页面付款。Open this page in WeChat to pay."></p>
                <script src="/pay.js"></script>
                """)
        case .settled(let order, let payment):
            response = HTML.page(title: "订单 #\(order.id)", body: """
                \(summary(order))
                <p class="ok">\(PaymentReplies.status(payment, language: .zh) ?? "")<br><small>\(PaymentReplies.status(payment, language: .en) ?? "")</small></p>
                """)
        case .notPayable(let order, _):
            response = HTML.page(title: "订单 #\(order.id)", body: """
                \(summary(order))
                <p>这个订单现在不能付款（\(order.status.rawValue)）。<br>This order cannot be paid now.</p>
                """, status: .conflict)
        }
        response.headers[.contentSecurityPolicy] = contentSecurityPolicy
        return response
    }

    static func summary(_ order: Order) -> HTML {
        var lines = order.lines.map { line -> HTML in "<li>\(line.name.zh) / \(line.name.en) ×\(line.quantity) <span>\(line.total)</span></li>" }
        // What is paid is what the summary showed: the delivery fee is part of the total.
        lines.append(order.deliveryFee == .zero ? "<li>配送费 Delivery <span>免费 free</span></li>" : "<li>配送费 Delivery <span>\(order.deliveryFee)</span></li>")
        return """
            <h1>订单 #\(order.id) <small>Order #\(order.id)</small></h1>
            <ul>\(lines)</ul>
            <p class="price">合计 Total \(order.total)</p>
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
