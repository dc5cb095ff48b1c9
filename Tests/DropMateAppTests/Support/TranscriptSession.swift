import DropMateApp
import DropMateCore
import DropMateFakes
import DropMateWeChat
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting

@testable import DropMateEngine

/// The customer side of a transcript: who is talking, in which mode, and what was last sent.
struct Session {
    let app: TestApp
    let signer: WeChatClientSigner
    let client: any TestClientProtocol
    var mode: WeChatWebhook.Mode
    var user = "o_alice"
    var nextMsgID: Int64 = 24_000_000_000_000_001
    var lastMessage: InboundMessage?
    var lastReplyText = ""
    var lastPushID: Int64 = 0
    var lastETAJobID: Int64 = 0
    var nonce = 100_000
    /// API tokens of the couriers the transcript added, by courier id.
    var courierTokens: [Int64: String] = [:]
    /// The shop owner's staff API token, once a `@staff rules…` line logged them in.
    var ownerToken: String?
    var ownerLoggedInAt: Int64?
    /// Whether new-order notices show (a file that added a staff member with `@staff member`); other files would
    /// otherwise carry one after every confirmation.
    var showsOrderNotices = false
    /// WeChat Pay's fake (files with `@payment`) and its last callback.
    var pay: FakeWeChatPay?
    var lastCallback: FakeWeChatPay.Callback?
    /// The map service's fake (files with `@maps`).
    var maps: FakeMaps?
    /// The last cart form sent from the menu page (path and body), for `@menu-cart-again`.
    var lastCart: (path: String, body: String)?
    /// The last menu link the chat sent.
    var lastMenuPath: String?
    /// The engine runner: messages go straight into the engine (no signature, XML, encryption or HTTP).
    var straightIntoEngine = false

    init(app: TestApp, signer: WeChatClientSigner, client: any TestClientProtocol, mode: WeChatWebhook.Mode) {
        self.app = app
        self.signer = signer
        self.client = client
        self.mode = mode
    }

    var engine: ConversationEngine { app.dependencies.engine }

    /// Performs one action; returns the reply lines for actions that have a reply.
    mutating func perform(_ action: Transcript.Action) async throws -> [String]? {
        switch action {
        case .send(let text):
            let message = makeMessage(text)
            lastMessage = message
            return try await post(message)
        case .retry:
            guard let lastMessage else { return ["error: nothing to retry"] }
            return try await post(lastMessage)
        case .user(let openID): user = openID
        case .mode(let name): mode = WeChatWebhook.Mode(rawValue: name) ?? .plaintext
        case .clockAdvance(let seconds): app.clock.advance(seconds)
        case .clockSet(let text): app.clock.set(Self.parseLocalTime(text) ?? app.clock.now)
        case .staff(let command, let orderID, let reason):
            let orderCommand: OrderCommand
            switch command {
            case "dispatch": orderCommand = .dispatch
            case "deliver": orderCommand = .deliver
            case "cancel": orderCommand = .cancel(reason: reason ?? "staff")
            default: return ["error: unknown staff command \(command)"]
            }
            do { try await engine.apply(orderCommand, toOrder: orderID) } catch { return ["error: \(error)"] }
        case .addCourier(let name, let code):
            let created = try await app.dependencies.couriers.create(name: name, phone: nil)
            courierTokens[created.courier.id] = created.apiToken
            _ = try await app.dependencies.couriers.issueBindingCode(courierID: created.courier.id, code: code)
            return ["courier #\(created.courier.id) \(name)"]
        case .addStaffMember(let name, let code):
            let account = try await app.dependencies.createStaff(
                username: name, password: "transcript staff password", role: .dispatcher, courierID: nil)
            let audit = AuditEntry(
                actorID: nil, actor: "transcript", role: "admin", action: "staff.binding_code",
                target: "staff:\(account.id)", at: app.clock.now)
            _ = try await app.dependencies.staffWeChat.issue(staffID: account.id, code: code, audit: audit)
            _ = try await app.dependencies.staff.setSubscriptions(
                staffID: account.id, notifyOrders: true, notifyReports: true, now: app.clock.now, audit: audit)
            showsOrderNotices = true
            return ["staff #\(account.id) \(name)"]
        case .newBindingCode(let courierID, let code):
            _ = try await app.dependencies.couriers.issueBindingCode(courierID: courierID, code: code)
        case .setCourierActive(let courierID, let active):
            _ = try await app.dependencies.couriers.setActive(courierID: courierID, active)
        case .staffMessage(let openID, let text, let endsHandoff):
            try await engine.messageFromStaff(to: openID, text: text, endsHandoff: endsHandoff, audit: nil)
        case .assign(let orderID, let courierID):
            do { try await engine.assign(orderID: orderID, courierID: courierID) } catch { return ["error: \(error)"] }
        case .courierApp(let courierID, let latitude, let longitude):
            let body = #"{"latitude": \#(latitude), "longitude": \#(longitude)}"#
            let response = try await client.execute(
                uri: "/api/v1/courier/position", method: .post,
                headers: [
                    .authorization: "Bearer \(courierTokens[courierID] ?? "none")", .contentType: "application/json",
                ],
                body: ByteBuffer(string: body))
            return ["HTTP \(response.status.code) \(String(buffer: response.body))"]
        case .etaRefresh:
            try await engine.scheduleETARefreshes(every: 120)
            try await runETAJobs()
        case .runETAJobs: try await runETAJobs()
        case .sweep: try await engine.expireIdleDrafts()
        case .confirmLink: return try await openConfirmationLink()
        case .shop(let call): return try await callShopAPI(call)
        case .orderMoney(let id): return try await orderMoney(id)
        case .payment, .maps: break  // the runner configured it before the first step
        case .menuCart(let merchantID, let fields):
            return try await sendMenuCart(merchantID: merchantID, fields: fields)
        case .menuCartAgain:
            guard let lastCart else { return ["error: no cart sent yet"] }
            return try await postCart(lastCart.path, body: lastCart.body)
        case .geocode(let address, let latitude, let longitude, let precise):
            guard let maps else { return ["error: @geocode needs @maps"] }
            maps.place(address, latitude: latitude, longitude: longitude, precision: precise ? .point : .city)
        case .payPage:
            guard
                let range = lastReplyText.range(
                    of: #"https://dropmate\.example(/pay/[0-9]+\?exp=[0-9]+&sig=[0-9a-f]+)"#,
                    options: .regularExpression)
            else {
                return ["error: no pay link in the last reply"]
            }
            let page = try await client.execute(
                uri: String(lastReplyText[range].dropFirst("https://dropmate.example".count)), method: .get)
            return ["page \(page.status.code)"]
        case .payPageCash:
            guard
                let range = lastReplyText.range(
                    of: #"https://dropmate\.example(/pay/[0-9]+\?exp=[0-9]+&sig=[0-9a-f]+)"#,
                    options: .regularExpression)
            else {
                return ["error: no pay link in the last reply"]
            }
            let page = try await client.execute(
                uri: String(lastReplyText[range].dropFirst("https://dropmate.example".count)), method: .get)
            guard let action = PaymentFlowTests.attribute("action", in: String(buffer: page.body)) else {
                return ["page \(page.status.code)", "error: no 货到付款 button"]
            }
            let chosen = try await client.execute(
                uri: action.replacingOccurrences(of: "&amp;", with: "&"), method: .post)
            let html = String(buffer: chosen.body)
            let note =
                html.range(of: #"<p class="ok">[^<]*</p>"#, options: .regularExpression).map {
                    String(html[$0].dropFirst(#"<p class="ok">"#.count).dropLast(4))
                } ?? ""
            return ["page \(page.status.code)", "cash \(chosen.status.code) \(note)"]
        case .pay(let orderID, let deliver):
            guard let pay else { return ["error: @pay needs @payment"] }
            do { lastCallback = try pay.pay("DM\(orderID)") } catch { return ["error: \(error)"] }
            if deliver { return try await deliverCallback() }
        case .callback: return try await deliverCallback()
        case .runJobs:
            // Until nothing due is left; with Redis the jobs a job queues reach the stream a moment later, so an
            // empty round is tried again once after a short pause.
            var idle = 0
            for _ in 0..<40 where idle < 2 {
                if try await app.dependencies.worker.runDueJobs() > 0 {
                    idle = 0
                } else {
                    idle += 1
                    if app.dependencies.redis != nil { try await Task.sleep(for: .milliseconds(150)) }
                }
            }
        case .refundDone(let number):
            guard let pay else { return ["error: @refund-done needs @payment"] }
            do { lastCallback = try pay.finishRefund(number) } catch { return ["error: \(error)"] }
            return try await deliverCallback()
        case .expectOrder(let id, let status):
            let actual = try await engine.order(id: id)?.status.rawValue ?? "missing"
            return actual == status ? nil : ["order #\(id) is \(actual), expected \(status)"]
        }
        return nil
    }

    mutating func makeMessage(_ text: String) -> InboundMessage {
        let now = app.clock.now
        let msgID = "\(nextMsgID)"
        nextMsgID += 1
        let kind: InboundMessage.Kind
        let words = text.split(separator: " ", maxSplits: 2).map(String.init)
        switch words.first {
        case "/location":
            let parts = (words.count > 1 ? words[1] : "").split(separator: ",").compactMap { Double($0) }
            kind = .location(
                latitude: parts.first ?? 0, longitude: parts.count > 1 ? parts[1] : 0, scale: 15,
                label: words.count > 2 ? words[2] : "", msgID: msgID)
        case "/subscribe": kind = .event(.subscribe(eventKey: nil, ticket: nil))
        case "/unsubscribe": kind = .event(.unsubscribe)
        case "/click": kind = .event(.click(key: words.count > 1 ? words[1] : ""))
        case "/view": kind = .event(.view(url: words.count > 1 ? words[1] : ""))
        case "/reported-location":
            let parts = (words.count > 1 ? words[1] : "").split(separator: ",").compactMap { Double($0) }
            kind = .event(
                .location(latitude: parts.first ?? 0, longitude: parts.count > 1 ? parts[1] : 0, precision: 30))
        case "/image": kind = .image(picURL: "http://mmbiz.qpic.cn/test.jpg", mediaID: "media1", msgID: msgID)
        case "/voice":
            kind = .voice(
                mediaID: "voice1", format: "amr", recognition: words.count > 1 ? String(text.dropFirst(7)) : nil,
                msgID: msgID)
        case "/link": kind = .link(title: "A link", description: "", url: "https://example.com", msgID: msgID)
        case "/unknown": kind = .unknown(msgType: "miniprogrampage", msgID: msgID)
        default: kind = .text(content: text, msgID: msgID)
        }
        return InboundMessage(toUserName: TestAccount.accountID, fromUserName: user, createTime: now, kind: kind)
    }

    mutating func post(_ message: InboundMessage) async throws -> [String] {
        if straightIntoEngine { return try await answerInEngine(message) }
        nonce += 1
        let (query, body) = signer.request(for: message, mode: mode, timestamp: app.clock.now, nonce: "\(nonce)")
        let response = try await client.execute(
            uri: "/wechat?\(query)", method: .post, headers: [.contentType: "text/xml"], body: ByteBuffer(string: body))
        guard response.status == .ok else { return ["HTTP \(response.status.code): \(String(buffer: response.body))"] }
        guard let reply = try signer.openReply(Array(response.body.readableBytesView)) else { return [] }
        guard reply.toUserName == message.fromUserName else { return ["reply addressed to \(reply.toUserName)"] }
        switch reply.content {
        case .text(let text): return replyLines(.text(text))
        case .news(let article):
            return replyLines(
                .news(
                    title: article.title, description: article.description, pictureURL: article.picURL, url: article.url
                ))
        }
    }

    /// The message as the webhook maps it, answered by the engine itself within the webhook's deadline.
    mutating func answerInEngine(_ message: InboundMessage) async throws -> [String] {
        let answer = try await engine.handle(IncomingChat(message), deadline: app.dependencies.config.replyDeadline)
        return answer.reply.map { replyLines($0) } ?? []
    }

    /// A passive reply as a transcript writes it.
    mutating func replyLines(_ reply: OutgoingMessage) -> [String] {
        switch reply {
        case .text(let text):
            lastReplyText = text
            return text.components(separatedBy: "\n")
        case .news(let title, let description, _, let url):
            return ["[news] \(title) | \(description) | \(url)"]
        }
    }

    /// WeChat Pay POSTs the last callback to the notify URL.
    func deliverCallback() async throws -> [String] {
        guard let pay, let lastCallback else { return ["error: no callback to deliver"] }
        return [
            "notify \(try await pay.deliver(lastCallback, to: "http://127.0.0.1:\(client.port!)/wechat/pay/notify"))"
        ]
    }

    /// Opens the last menu link, fills in `merchantID`'s form with `fields` ("ITEM=QTY", the item without "q.") and
    /// sends it, as a customer in WeChat's browser would.
    mutating func sendMenuCart(merchantID: String, fields: [String]) async throws -> [String] {
        if let range = lastReplyText.range(
            of: #"https://dropmate\.example(/menu\?c=[A-Za-z0-9_-]+&exp=[0-9]+&sig=[0-9a-f]+&lang=[a-z]+)"#,
            options: .regularExpression)
        {
            lastMenuPath = String(lastReplyText[range].dropFirst("https://dropmate.example".count))
        }
        // A page opened earlier is still open in the browser.
        guard let path = lastMenuPath else { return ["error: no menu link sent yet"] }
        let page = try await client.execute(uri: path, method: .get)
        let html = String(buffer: page.body)
        guard let form = html.range(of: "name=\"m\" value=\"\(merchantID)\"") else {
            return ["page \(page.status.code), no form for \(merchantID)"]
        }
        func hidden(_ name: String) -> String? {
            guard let start = html.range(of: "name=\"\(name)\" value=\"", range: form.upperBound..<html.endIndex) else {
                return nil
            }
            return html[start.upperBound...].prefix { $0 != "\"" }.description
        }
        guard let nonce = hidden("nonce"), let token = hidden("token") else {
            return ["page \(page.status.code), the form has no nonce or token"]
        }
        let body = (["m=\(merchantID)", "nonce=\(nonce)", "token=\(token)"] + fields.map { "q.\($0)" }).joined(
            separator: "&")
        lastCart = (path, body)
        return ["page \(page.status.code)"] + (try await postCart(path, body: body))
    }

    /// Sends a cart form; shows the status and, when refused, why.
    func postCart(_ path: String, body: String) async throws -> [String] {
        let response = try await client.execute(
            uri: path, method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
            body: ByteBuffer(string: body))
        let html = String(buffer: response.body)
        var lines = ["cart \(response.status.code)"]
        if let start = html.range(of: "<p class=\"error\">") {
            lines.append("error: " + html[start.upperBound...].prefix { $0 != "<" })
        }
        if html.contains("没有重复下单") || html.contains("nothing was ordered twice") { lines.append("already sent") }
        return lines
    }

    /// GET then POST the last confirmation link, like a customer tapping it and the button.
    mutating func openConfirmationLink() async throws -> [String] {
        guard
            let range = lastReplyText.range(
                of: #"https://dropmate\.example(/confirm/[0-9]+\?exp=[0-9]+&sig=[0-9a-f]+)"#,
                options: .regularExpression)
        else {
            return ["error: no confirmation link in the last reply"]
        }
        let path = String(lastReplyText[range].dropFirst("https://dropmate.example".count))
        let page = try await client.execute(uri: path, method: .get)
        let confirmed = try await client.execute(uri: path, method: .post)
        return ["page \(page.status.code), confirm \(confirmed.status.code)"]
    }

    /// Runs the ETA refreshes queued since the last run, once per order, as the worker would.
    mutating func runETAJobs() async throws {
        let jobs = try await app.dependencies.queue.jobs(kind: ETARefreshJob.kind, after: lastETAJobID)
        lastETAJobID = jobs.last?.id ?? lastETAJobID
        var seen = Set<Int64>()
        for job in jobs {
            let orderID = try ETARefreshJob(payload: job.payload).orderID
            if seen.insert(orderID).inserted { try await engine.refreshETA(orderID: orderID) }
        }
    }

    /// Pushes queued since the last call, each as its lines; staff notices (which the worker sends to every
    /// subscribed staff member) start with `[staff]`.
    mutating func newPushes() async throws -> [[String]] {
        let pushes = try await app.dependencies.queue.jobs(kind: PushJob.kind, after: lastPushID)
        let notices = try await app.dependencies.queue.jobs(kind: StaffNoticeJob.kind, after: lastPushID)
        let jobs = (pushes + notices).sorted { $0.id < $1.id }
        lastPushID = jobs.last?.id ?? lastPushID
        return try jobs.compactMap { job in
            if job.kind == StaffNoticeJob.kind {
                let notice = try StaffNoticeJob(payload: job.payload)
                if notice.reason == StaffNoticeJob.newOrder, !showsOrderNotices { return nil }
                return ("[staff] " + notice.text).components(separatedBy: "\n")
            }
            let push = try PushJob(payload: job.payload)
            let prefix = push.openID == user ? "" : "[\(push.openID)] "
            switch push.message {
            case .text(let text): return (prefix + text).components(separatedBy: "\n")
            case .news(let title, _, _, let url): return ["\(prefix)[news] \(title) | \(url)"]
            }
        }
    }

    /// "2026-11-25 12:30" in Shanghai time.
    static func parseLocalTime(_ text: String) -> Int64? {
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "-" || $0 == ":" }).compactMap { Int($0) }
        guard parts.count >= 5 else { return nil }
        return Calendar.epoch(
            year: parts[0], month: parts[1], day: parts[2], hour: parts[3], minute: parts[4],
            second: parts.count > 5 ? parts[5] : 0, utcOffsetHours: 8)
    }
}
