import DropMateCore
import DropMateStorage
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The staff web console under `/console`: sign-in and sign-out, the live order board, an order's page with its
/// actions, the board's event stream. Pages are rendered here; actions go through the staff REST API (the page's
/// script sends the session cookie with the CSRF token), so they run the very same handlers, audit entries and
/// idempotency keys as any other API client.
struct ConsoleRoutes: Sendable {
    let api: StaffAPI
    let renderer: ReplyRenderer
    var sessions: ConsoleSessions { api.consoleSessions }
    var clock: @Sendable () -> Int64 { api.clock }
    /// Open event streams one process serves at most.
    static let maxStreams = 1_000

    func add(to router: Router<BasicRequestContext>) {
        ConsoleAssets.add(to: router)
        addCourierApp(to: router)
        addCourierScreens(to: router)
        addAdminScreens(to: router)
        addReportScreens(to: router)
        addStaffScreens(to: router)
        addMerchantScreens(to: router)
        addMerchantRuleScreens(to: router)
        addAdScreens(to: router)
        addMeScreens(to: router)
        ConsoleFormAssets.add(to: router)
        router.get("/console/signin") { request, _ in try await signInPage(request) }
        router.post("/console/signin") { request, _ in try await signIn(request) }
        router.post("/console/signout") { request, _ in try await signOut(request) }
        router.get("/console") { request, _ in try await office(request) { session in try await board(session) } }
        router.get("/console/board/cards/:id") { request, context in
            try await office(request, api: true) { session in
                guard let id = context.parameters.get("id", as: Int64.self),
                    let order = try await api.store.order(id: id)
                else {
                    return Response(status: .notFound)
                }
                var deck = cards(now: clock())
                deck.unpaid = try await unpaid([order])
                return fragment(deck.card(order))
            }
        }
        router.get("/console/events") { request, _ in
            try await office(request, api: true) { session in
                // Each open stream holds a connection and a buffer: past this many, new ones are turned away (503).
                guard api.engine.orderFeed.subscriberCount < Self.maxStreams else {
                    return Response(status: .serviceUnavailable, headers: [.retryAfter: "10"])
                }
                return events(request, session: session)
            }
        }
        router.get("/console/orders/:id") { request, context in
            try await office(request) { session in
                guard let id = context.parameters.get("id", as: Int64.self),
                    let order = try await api.store.order(id: id)
                else {
                    return ConsolePage.message("没有这个订单 No such order", "", status: .notFound)
                }
                return try await orderPage(order, session: session)
            }
        }
        router.post("/console/orders/:id/phone") { request, context in
            try await office(request, api: true, changesState: true) { session in
                guard let id = context.parameters.get("id", as: Int64.self),
                    let order = try await api.store.order(id: id)
                else { return Response(status: .notFound) }
                return try await revealPhone(order, session: session)
            }
        }
    }

    // MARK: Access

    /// Runs `body` for a signed-in dispatcher or admin. Pages send others to sign in (or tell a courier this is not
    /// theirs); script calls (`api`) get a bare 401/403. `changesState`: the CSRF token must come in `X-CSRF-Token`.
    func office(
        _ request: Request, roles: Set<StaffRole> = StaffAPI.office, api isAPI: Bool = false,
        changesState: Bool = false,
        _ body: (ConsoleSessions.Session) async throws -> Response
    ) async throws -> Response {
        guard let session = try await sessions.session(request) else {
            if isAPI { return Response(status: .unauthorized) }
            return Response(status: .seeOther, headers: [.location: "/console/signin"])
        }
        guard roles.contains(session.identity.account.role) else {
            api.logger.warning(
                "console page denied",
                metadata: [
                    "dropmate.role": "\(session.identity.account.role.rawValue)",
                    "dropmate.route": "\(request.uri.path)",
                ])
            if isAPI { return Response(status: .forbidden) }
            return ConsolePage.message(
                "无权访问 Not allowed", "骑手请使用骑手页面 Couriers use the courier page: <a href=\"/courier\">/courier</a>",
                status: .forbidden)
        }
        if changesState {
            guard let presented = request.headers[.csrfToken], ConsoleSessions.matches(presented, session.csrf) else {
                return Response(status: .forbidden)
            }
        }
        return try await body(session)
    }

    func fragment(_ html: HTML) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: "text/html; charset=utf-8", .contentSecurityPolicy: ConsolePage.contentSecurityPolicy,
                .cacheControl: "no-store",
            ],
            body: .init(byteBuffer: ByteBuffer(string: html.rendered)))
    }

    func cards(now: Int64) -> ConsoleCards { ConsoleCards(catalog: api.engine.catalog, renderer: renderer, now: now) }

    func header(_ session: ConsoleSessions.Session) -> HTML {
        var links = [
            ("/console", "订单 Orders"), ("/console/couriers", "骑手 Couriers"), ("/console/merchants", "商家 Merchants"),
            ("/console/ads", "广告 Ads"),
            ("/console/board", "留言板 Board"), ("/console/reports", "日报 Reports"), ("/console/jobs", "失败任务 Dead jobs"),
        ]
        if session.identity.account.role == .admin {
            links += [("/console/staff", "员工 Staff"), ("/console/audit", "审计 Audit")]
        }
        links.append(("/console/me", "我的 Me"))
        return ConsolePage.header(
            user: session.identity.account.username, role: session.identity.account.role.rawValue, csrf: session.csrf,
            links: links)
    }

    // MARK: Sign-in

    struct SignInForm: Decodable { var username: String?; var password: String?; var csrf: String? }

    func signInPage(
        _ request: Request, error: HTML = .empty, status: HTTPResponse.Status = .ok, username: String = ""
    ) async throws -> Response {
        if status == .ok, let session = try await sessions.session(request) {
            return Response(status: .seeOther, headers: [.location: session.isCourier ? "/courier" : "/console"])
        }
        // The form's own CSRF token, paired with a cookie: another site cannot sign a browser in as someone else.
        // Reused while it lasts, so two sign-in tabs do not invalidate each other's form.
        let kept = sessions.cookie(sessions.loginCookieName, in: request).flatMap {
            $0.count == 64 && $0.allSatisfy(\.isHexDigit) ? $0 : nil
        }
        let token = kept ?? SecretToken.generate(prefix: "")
        let body: HTML = """
            <section class="signin"><h1>DropMate 控制台<br><small>Staff console</small></h1>
            \(error)
            <form method="post" action="/console/signin">
            <input type="hidden" name="csrf" value="\(token)">
            <label for="username">用户名 Username</label><input id="username" name="username" autocomplete="username" required maxlength="64" value="\(username)">
            <label for="password">密码 Password</label><input id="password" name="password" type="password" autocomplete="current-password" required maxlength="200">
            <button type="submit">登录 Sign in</button></form></section>
            """
        return ConsolePage.page(
            title: "登录 Sign in · DropMate", csrf: nil, body: body, status: status,
            extraHeaders: [.setCookie: sessions.loginCookie(token)])
    }

    func signIn(_ request: Request) async throws -> Response {
        let form: SignInForm
        do {
            let buffer = try await request.body.collect(upTo: 4_096)
            form = try URLEncodedFormDecoder().decode(SignInForm.self, from: String(buffer: buffer))
        } catch {
            return try await signInPage(
                request, error: "<p class=\"error\" role=\"alert\">表单无效 Invalid form</p>", status: .badRequest)
        }
        guard let presented = form.csrf, let expected = sessions.cookie(sessions.loginCookieName, in: request),
            !expected.isEmpty,
            ConsoleSessions.matches(presented, expected)
        else {
            return try await signInPage(
                request, error: "<p class=\"error\" role=\"alert\">页面已过期，请重试 The page expired; please try again</p>",
                status: .forbidden)
        }
        let username = (form.username ?? "").trimmingCharacters(in: .whitespaces)
        let now = clock()
        let address = request.clientAddress(trusting: api.signIn.proxies)
        // The same counters, hashing threads and timing as `/api/v1/auth/login`.
        guard await api.signIn.attempts.allows(address: address, username: username, now: now) else {
            return try await signInPage(
                request,
                error:
                    "<p class=\"error\" role=\"alert\">尝试次数过多，请 15 分钟后再试 Too many failed sign-ins; try again in 15 minutes</p>",
                status: .tooManyRequests, username: username)
        }
        let found = try await api.staff.account(username: username)
        let matches: Bool
        do { matches = try await api.checkPassword(form.password ?? "", against: found?.passwordHash) } catch {
            return try await signInPage(
                request, error: "<p class=\"error\" role=\"alert\">系统繁忙，请稍后再试 Busy; try again in a few seconds</p>",
                status: .serviceUnavailable,
                username: username)
        }
        guard let found, found.account.active, matches, let session = try await api.staff.session(id: found.account.id)
        else {
            await api.signIn.attempts.failed(address: address, username: username, now: now)
            api.logger.warning(
                "console sign-in failed",
                metadata: ["dropmate.staff": "\(username.prefix(64))", "dropmate.client": "\(address)"])
            return try await signInPage(
                request, error: "<p class=\"error\" role=\"alert\">用户名或密码错误 Wrong username or password</p>",
                status: .unauthorized,
                username: username)
        }
        await api.signIn.attempts.succeeded(address: address, username: username, now: now)
        if api.signIn.passwords.hasher.needsRehash(found.passwordHash),
            case .success(let rehashed)? = try? await api.signIn.passwords.hash(form.password ?? "")
        {
            try await api.staff.setPasswordHash(rehashed, staffID: found.account.id, now: now)
        }
        let token = try await sessions.start(staffID: found.account.id, tokenVersion: session.tokenVersion)
        var headers: HTTPFields = [
            .location: found.account.role == .courier ? "/courier" : "/console", .cacheControl: "no-store",
        ]
        headers.append(HTTPField(name: .setCookie, value: sessions.sessionCookie(token)))
        headers.append(HTTPField(name: .setCookie, value: sessions.loginCookie(nil)))
        return Response(status: .seeOther, headers: headers)
    }

    /// Ends the session (the form's CSRF token must match) and clears the cookie.
    func signOut(_ request: Request) async throws -> Response {
        guard let session = try await sessions.session(request) else {
            return Response(
                status: .seeOther, headers: [.location: "/console/signin", .setCookie: sessions.sessionCookie(nil)])
        }
        let buffer = try await request.body.collect(upTo: 4_096)
        let form = try? URLEncodedFormDecoder().decode(SignInForm.self, from: String(buffer: buffer))
        guard let presented = form?.csrf ?? request.headers[.csrfToken],
            ConsoleSessions.matches(presented, session.csrf)
        else {
            return ConsolePage.message(
                "请求无效 Request refused", "缺少安全令牌 The security token is missing.", status: .forbidden)
        }
        try await sessions.end(session)
        return Response(
            status: .seeOther,
            headers: [
                .location: session.isCourier ? "/courier" : "/console/signin", .setCookie: sessions.sessionCookie(nil),
            ])
    }

    // MARK: Board

    /// Midnight in the business time zone, today.
    func startOfDay(_ now: Int64) -> Int64 {
        let offset = Int64(api.utcOffset)
        let local = now + offset
        return local - ((local % 86_400) + 86_400) % 86_400 - offset
    }

    func board(_ session: ConsoleSessions.Session) async throws -> Response {
        let now = clock()
        let today = try await api.reads.orders(matching: .init(from: startOfDay(now)), limit: 500, offset: 0).orders
        var deck = cards(now: now)
        deck.unpaid = try await unpaid(today)
        let body: HTML = """
            <div class="board-head"><h1>今日订单 Today's orders</h1>
            <p class="live" id="live" aria-live="polite" data-state="connecting">连接中 Connecting…</p>
            <button type="button" id="sound-toggle" class="secondary sound" data-state="off" aria-pressed="false">开启提示音 Enable sound</button></div>
            \(deck.board(today))
            """
        return ConsolePage.page(
            title: "订单看板 Order board · DropMate", csrf: session.csrf, header: header(session), body: body)
    }

    /// The confirmed ones among `orders` still unpaid while payment is required (none when payment is off or optional).
    func unpaid(_ orders: [Order]) async throws -> Set<Int64> {
        guard let service = api.payments, service.gate.mode == .required else { return [] }
        let confirmed = orders.filter { $0.status == .confirmed }.map(\.id)
        guard !confirmed.isEmpty else { return [] }
        let found = try await service.payments.payments(orderIDs: confirmed)
        return Set(confirmed.filter { found[$0]?.isPaid != true })
    }

    // MARK: One order

    func orderPage(_ order: Order, session: ConsoleSessions.Session) async throws -> Response {
        let identity = session.identity
        let history = try await api.store.history(orderID: order.id)
        let posts = try await api.store.posts(orderID: order.id)
        let merchant = api.engine.catalog.merchant(id: order.merchantID)
        let lines = order.lines.map { line -> HTML in
            "<li>\(line.name.zh) / \(line.name.en) ×\(line.quantity) <span>\(line.total)</span>\(line.note.map { note -> HTML in " <em class=\"note\">（\(note)）</em>" } ?? .empty)</li>"
        }
        let events = history.map { event -> HTML in "<li>\(renderer.clockTime(event.at)) · \(event.status)</li>" }
        let postItems = posts.map { post -> HTML in "<li>\(renderer.clockTime(post.createdAt)) · \(post.body)</li>" }
        let canReveal = order.showsWholePhone(to: .admin) && identity.phoneReader == .admin
        let phone: HTML =
            canReveal
            ? "<span id=\"phone\">\(order.phone.masked)</span> <button type=\"button\" class=\"secondary\" data-reveal=\"/console/orders/\(order.id)/phone\">显示号码 Show number</button>"
            : "<span id=\"phone\">\(order.phone(shownTo: identity.phoneReader))</span>"
        var actions: [HTML] = []
        if order.status == .confirmed || order.status == .dispatched {
            let options = try await courierChoices(for: order, merchant: merchant)
            actions.append(
                """
                <form class="action" data-api="/api/v1/orders/\(order.id)/dispatch" data-next="/console/orders/\(order.id)">
                <label for="courier">骑手 Courier（按距离和负载排序 by distance and load）</label>
                <select id="courier" name="courier_id" data-number required>\(options)</select>
                <button type="submit">派单 Dispatch</button></form>
                """)
        }
        if order.status == .dispatched {
            actions.append(
                """
                <form class="action" data-api="/api/v1/orders/\(order.id)/deliver" data-next="/console/orders/\(order.id)">
                <button type="submit" class="secondary">标记送达 Mark delivered</button></form>
                """)
        }
        if !order.status.isFinal {
            actions.append(
                """
                <form class="action" data-api="/api/v1/orders/\(order.id)/cancel" data-next="/console/orders/\(order.id)">
                <label for="reason">取消原因 Reason</label><input id="reason" name="reason" required maxlength="200">
                <button type="submit" class="danger">取消 Cancel</button></form>
                """)
        }
        let column = ConsoleCards.Column(order)
        let body: HTML = """
            <p><a href="/console">← 返回看板 Back to the board</a></p>
            <article class="order-detail" data-order="\(order.id)">
            <h1>#\(order.id) <span class="state state-\(column.rawValue)">\(column.title)</span></h1>
            <dl>
            <dt>商家 Merchant</dt><dd>\(merchant?.name.zh ?? order.merchantID) \(merchant?.name.en ?? "")</dd>
            <dt>地址 Address</dt><dd class="addr">\(order.address.text)</dd>
            <dt>电话 Phone</dt><dd>\(phone)</dd>
            <dt>备注 Note</dt><dd class="note">\(order.note ?? "—")</dd>
            <dt>下单 Placed</dt><dd>\(renderer.clockTime(order.createdAt))</dd>
            <dt>预计 ETA</dt><dd>\((order.latestETA ?? order.promisedAt).map(renderer.clockTime) ?? "—")</dd>
            <dt>骑手 Courier</dt><dd>\(order.courierName ?? "—")</dd>
            \(order.cancelReason.map { reason -> HTML in "<dt>取消原因 Cancel reason</dt><dd>\(reason)</dd>" } ?? .empty)
            </dl>
            <h2>菜品 Items</h2><ul>\(lines)</ul><p>合计 Total: \(order.total)</p>
            <div class="actions">\(actions)</div>
            <p class="error" id="action-error" role="alert" hidden></p>
            <h2>记录 History</h2><ol class="history">\(events)</ol>
            \(postItems.isEmpty ? .empty : "<h2>留言 Board posts</h2><ul>\(postItems)</ul>" as HTML)
            </article>
            """
        return ConsolePage.page(
            title: "订单 #\(order.id) · DropMate", csrf: session.csrf, header: header(session), body: body)
    }

    /// Active couriers, nearest to the shop first, the less loaded first at equal distance; those with no known
    /// position last.
    func courierChoices(for order: Order, merchant: Merchant?) async throws -> [HTML] {
        let couriers = try await api.couriers.all().filter(\.active)
        let open = try await api.reads.orders(matching: .init(status: .dispatched), limit: 1_000, offset: 0).orders
        var load: [Int64: Int] = [:]
        for delivery in open { if let id = delivery.courierID { load[id, default: 0] += 1 } }
        let ranked = couriers.map { courier -> (courier: Courier, metres: Double?, load: Int) in
            let metres = both(courier.position?.coordinate, merchant?.location).map { $0.distance(to: $1) }
            return (courier, metres, load[courier.id] ?? 0)
        }.sorted { a, b in
            switch (a.metres, b.metres) {
            case let (x?, y?) where abs(x - y) >= 100: return x < y
            case (nil, _?): return false
            case (_?, nil): return true
            default: return (a.load, a.courier.id) < (b.load, b.courier.id)
            }
        }
        return ranked.map { entry -> HTML in
            let distance =
                entry.metres.map { $0 < 1_000 ? "\(Int($0)) m" : String(format: "%.1f km", $0 / 1_000) }
                ?? "位置未知 position unknown"
            let selected: HTML = entry.courier.id == order.courierID ? " selected" : .empty
            // Shown, not hidden: choosing one gets the API's reason why it cannot be dispatched to.
            let unreachable: HTML =
                api.engine.unreachable(entry.courier) == nil ? .empty : " · ⚠ 无法通知 cannot be reached"
            return
                "<option value=\"\(entry.courier.id)\"\(selected)>\(entry.courier.name) · \(distance) · 在送 \(entry.load) on hand\(unreachable)</option>"
        }
    }

    /// An admin reads the whole number, audited; nobody else may (`PhoneReader`).
    func revealPhone(_ order: Order, session: ConsoleSessions.Session) async throws -> Response {
        guard order.showsWholePhone(to: session.identity.phoneReader) else { return Response(status: .forbidden) }
        try await api.staff.append(
            session.identity.audit(
                "order.phone_reveal", target: "order:\(order.id)", after: "whole phone number shown in the console",
                at: clock()))
        let body = try APIJSON.encoder.encode(["phone": order.phone.digits])
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

private func both<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
    guard let a, let b else { return nil }
    return (a, b)
}
