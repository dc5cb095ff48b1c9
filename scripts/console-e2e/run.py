"""The staff console and the courier web app, end to end in a real browser.

Playwright for Python drives Debian's chromium against the real `dropmate serve` (a throwaway data directory, the
embedded default). What a dispatcher and a courier do in a day, and what an attacker would try:

  sign in; switch the board's sound on; a chat order sent to the signed webhook appears on the open board without a
  reload and rings (a Web Audio tone, the badge, the count in the title); a dispatch to a courier nothing can reach
  is refused with the reason;
  dispatch it by clicking; the courier, signed in from a link with their app token, marks it picked up and
  delivered, and the board follows live; customer-typed markup in the address and the note renders as text;
  a state-changing request without the CSRF token is refused; a courier session cannot open the board or its
  event stream; an ad edited (price, description, an uploaded image previewed first); a shop's rules edited (hours
  per weekday, radius, minimum, banded fees, preparation time, orders for later; a bad time refused in the page);
  a dispatcher binds their WeChat with a code from "我的 Me", subscribes, and the next new order is pushed to them;
  sign-out ends the session; the API reference at /api/v1/docs renders the served OpenAPI document.

Screenshots of each page at 1280x800 and 390x844 go to docs/screenshots/ (CONSOLE_SCREENSHOTS=0: not written).
"""

import http.client
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "scripts", "attack-suite"))

import lib  # noqa: E402  (the attack suite's real-binary server and signed WeChat messages)
from playwright.sync_api import sync_playwright, expect  # noqa: E402

SHOTS = os.path.join(REPO, "docs", "screenshots")
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
XSS_ADDRESS = "<img src=x onerror=window.__xss=1> 88 Huaihai Road"
XSS_POST = "<img src=x onerror=window.__xss=2> 面很好吃"
NOTE = "no cilantro"


def tiny_png(width=96, height=64, rgb=(232, 69, 60)):
    """A real PNG (solid colour), written here: no image files from outside."""
    import struct
    import zlib
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def save_rules(page):
    """Saves a shop's rules form; the page comes back with "已保存 Saved", or the API's reason is the failure."""
    try:
        # The page reloads with ?saved=1 after the API took the rules (waiting for the URL alone would pass at once
        # on a second save: it already ends that way).
        with page.expect_navigation(url=re.compile(r".*[?]saved=1$"), timeout=8000):
            page.get_by_role("button", name="保存规则 Save rules").click()
    except Exception:
        raise AssertionError(f"rules not saved: {page.locator('#action-error').text_content()}")
    expect(page.locator("#rules-saved")).to_be_visible()


def outbox(server, openid):
    _, _, pushes = server.http("GET", f"/dev/outbox?openid={openid}")
    return pushes


def shot(page, name):
    if os.environ.get("CONSOLE_SCREENSHOTS", "1") == "0":
        return
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, name), full_page=False)


def step(text):
    print(f"console-e2e: {text}", flush=True)


def order_by_chat(server, openid, address):
    """A customer orders in chat through the signed webhook, with a note, and confirms; returns the order number.
    (The chat's parser keeps markup out of item notes: it refuses "<…>" as unknown items; the address is free text.)"""
    status, reply = server.text(openid, f"I want 2 beef noodles, {NOTE} please")
    assert status == 200 and "beef noodles" in reply, reply
    status, reply = server.text(openid, address)   # alone: an address with a number in one message is tidied up
    assert status == 200, reply
    status, reply = server.text(openid, "13800138000")
    assert status == 200 and "Order #" in reply, reply
    number = int(reply.split("Order #", 1)[1].split(" ", 1)[0])
    status, reply = server.text(openid, "yes")
    assert status == 200 and "confirmed" in reply, reply
    return number


def stream_opening(server, cookie, last_event_id=None, wait_for=None, timeout=5):
    """Reads /console/events as a reconnecting browser would: returns [(event, data, id)] up to `wait_for`'s event
    (or the first ping/timeout)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    headers = {"Cookie": cookie, "Accept": "text/event-stream"}
    if last_event_id:
        headers["Last-Event-ID"] = last_event_id
    conn.request("GET", "/console/events", headers=headers)
    response = conn.getresponse()
    assert response.status == 200, response.status
    events, current = [], {}
    try:
        while True:
            line = response.fp.readline().decode().rstrip("\n")
            if line == "":
                if current:
                    events.append((current.get("event"), current.get("data"), current.get("id")))
                    if wait_for and wait_for(events):
                        break
                current = {}
                continue
            key, _, value = line.partition(": ")
            current[key] = value
    except OSError:
        pass
    finally:
        conn.close()
    return events


def sign_in(page, base, username, password):
    page.goto(f"{base}/console")
    expect(page).to_have_url(f"{base}/console/signin")
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', password)
    page.get_by_role("button", name="登录 Sign in").click()


def main():
    started = time.time()
    # Reports are built at 00:30 business time by default: between midnight and then, yesterday's is not due yet and
    # the reports step found none (it failed when CI ran at 00:14 in Shanghai). At 00:00 it is due at any hour.
    server = lib.Server(env={"DROPMATE_REPORT_AT": "00:00"})
    base = server.url
    try:
        server.staff("e2e-admin", "admin", "console e2e admin 2026")
        server.staff("e2e-dispatcher", "dispatcher", "console e2e dispatcher 2026")
        admin = server.login("e2e-admin", "console e2e admin 2026")["token"]
        status, _, created = server.http("POST", "/api/v1/couriers", {"name": "王师傅", "phone": "13900001111"}, token=admin)
        assert status == 201, created
        courier_token = created["api_token"]
        courier_id = created["courier"]["id"]
        status, _, nobody = server.http("POST", "/api/v1/couriers", {"name": "无联系 Unreachable"}, token=admin)
        assert status == 201, nobody
        unreachable_id = nobody["courier"]["id"]

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            desk = browser.new_context(viewport=DESKTOP, locale="zh-CN")
            board = desk.new_page()
            board.on("dialog", lambda d: (_ for _ in ()).throw(AssertionError(f"unexpected dialog: {d.message}")))

            step("a wrong password is refused, the right one opens the board")
            board.goto(f"{base}/console")
            expect(board).to_have_url(f"{base}/console/signin")
            shot(board, "console-signin-1280.png")
            board.fill('input[name="username"]', "e2e-dispatcher")
            board.fill('input[name="password"]', "not the password")
            board.get_by_role("button", name="登录 Sign in").click()
            expect(board.get_by_role("alert")).to_contain_text("Wrong username or password")
            sign_in(board, base, "e2e-dispatcher", "console e2e dispatcher 2026")
            expect(board).to_have_url(f"{base}/console")
            cookie = next(c for c in desk.cookies() if c["name"] == "dm_console")
            assert cookie["httpOnly"] and cookie["sameSite"] == "Strict", cookie
            expect(board.locator("#live")).to_have_attribute("data-state", "live")
            board.evaluate("window.__sameDocument = true")

            step("the board's sound is off until switched on (browsers block audio until the user interacts)")
            toggle = board.locator("#sound-toggle")
            expect(toggle).to_have_attribute("data-state", "off")
            toggle.click()
            expect(toggle).to_have_attribute("data-state", "on")
            expect(toggle).to_have_attribute("aria-pressed", "true")
            tones_before = int(board.locator("#board").get_attribute("data-tones") or "0")   # the switch plays one test tone
            assert board.evaluate("localStorage.getItem('dropmate-sound')") == "1"

            step("a chat order appears on the open board without a reload, as text, and rings")
            t0 = time.time()
            number = order_by_chat(server, "o_console_e2e", XSS_ADDRESS)
            card = board.locator(f"#order-{number}")
            expect(card).to_have_attribute("data-column", "confirmed", timeout=5000)
            step(f"order #{number} on the board {time.time() - t0:.2f} s after the chat began")
            assert board.evaluate("window.__sameDocument") is True, "the board reloaded"
            expect(board.locator("#new-badge")).to_be_visible()
            expect(board.locator("#board")).to_have_attribute("data-rings", "1")   # once, when confirmed (not while awaiting confirmation)
            assert int(board.locator("#board").get_attribute("data-tones") or "0") == tones_before + 1, "no tone was played"
            assert board.title().startswith("(1) "), board.title()
            expect(card.locator(".addr")).to_contain_text(XSS_ADDRESS)
            expect(card.locator(".items")).to_contain_text(NOTE)
            assert card.locator("img").count() == 0 and board.evaluate("window.__xss") is None, "customer markup ran"
            shot(board, "console-board-1280.png")

            step("a state-changing request without the CSRF token is refused")
            no_token = board.evaluate("""async (n) => {
                const api = await fetch(`/api/v1/orders/${n}/cancel`, {method: 'POST', headers: {'Content-Type': 'application/json'},
                                                                          body: JSON.stringify({reason: 'csrf'})});
                const wrong = await fetch(`/api/v1/orders/${n}/cancel`, {method: 'POST', headers: {'Content-Type': 'application/json',
                                                                          'X-CSRF-Token': 'f'.repeat(64)}, body: JSON.stringify({reason: 'csrf'})});
                const phone = await fetch(`/console/orders/${n}/phone`, {method: 'POST'});
                const signout = await fetch('/console/signout', {method: 'POST', headers: {'Content-Type': 'application/x-www-form-urlencoded'}, body: 'csrf=nope'});
                return [api.status, wrong.status, phone.status, signout.status];
            }""", number)
            assert no_token == [401, 401, 403, 403], no_token
            status, _, detail = server.http("GET", f"/api/v1/orders/{number}", token=admin)
            assert detail["order"]["status"] == "confirmed", detail

            step("a board post with markup shows as text on the order's page")
            status, reply = server.text("o_console_e2e", f"留言 {XSS_POST}")
            assert status == 200, reply

            step("open the card and dispatch it by clicking")
            card.get_by_role("link", name=f"#{number}").click()
            expect(board).to_have_url(f"{base}/console/orders/{number}")
            expect(board.locator(".addr")).to_contain_text(XSS_ADDRESS)
            expect(board.locator(".order-detail")).to_contain_text(XSS_POST)
            assert board.locator(".order-detail img").count() == 0 and board.evaluate("window.__xss") is None
            expect(board.get_by_text("138****8000")).to_be_visible()   # a dispatcher reads numbers masked
            assert board.locator("[data-reveal]").count() == 0
            step("a courier nothing can reach (no WeChat, no phone) is refused with the reason")
            board.get_by_label("骑手 Courier").select_option(str(unreachable_id))
            board.get_by_role("button", name="派单 Dispatch").click()
            expect(board.locator("#action-error")).to_contain_text("cannot be told about a delivery")
            expect(board.locator(".state")).to_contain_text("Confirmed")
            board.get_by_label("骑手 Courier").select_option(str(courier_id))
            shot(board, "console-order-1280.png")
            board.get_by_role("button", name="派单 Dispatch").click()
            expect(board.locator(".state")).to_contain_text("Dispatched")
            expect(board.get_by_text("王师傅").first).to_be_visible()
            board.goto(f"{base}/console")
            expect(board.locator(f"#order-{number}")).to_have_attribute("data-column", "dispatched")
            expect(board.locator("#live")).to_have_attribute("data-state", "live")
            board.evaluate("window.__sameDocument = true")

            step("the courier opens their link: the token becomes a session and leaves the URL")
            phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True,
                                        geolocation={"latitude": 31.2243, "longitude": 121.4768}, permissions=["geolocation"])
            courier = phone.new_page()
            courier.goto(f"{base}/courier/login?token={courier_token}")
            expect(courier).to_have_url(f"{base}/courier")
            assert courier_token not in courier.url
            task = courier.locator(f"#task-{number}")
            expect(task.locator(".addr")).to_contain_text(XSS_ADDRESS)
            expect(task.get_by_role("link", name="拨打 Call 13800138000")).to_be_visible()   # their delivery: the whole number
            assert courier.evaluate("window.__xss") is None and task.locator("img").count() == 0
            shot(courier, "courier-tasks-390.png")

            step("a courier session cannot open the board or its stream")
            assert courier.request.get(f"{base}/console/events").status == 403
            response = courier.goto(f"{base}/console")
            assert response.status == 403 and courier.locator("#board").count() == 0
            courier.goto(f"{base}/courier")

            step("on duty, the browser's position is posted")
            courier.get_by_label("上班中").check()
            expect(courier.locator("#duty-status")).to_contain_text("Position shared")
            _, _, couriers = server.http("GET", "/api/v1/couriers", token=admin)
            mine = next(c for c in couriers["items"] if c["id"] == courier_id)
            assert abs(mine["latitude"] - 31.2243) < 1e-6, mine

            step("picked up and delivered from the courier page; the board follows live")
            courier.locator(f"#task-{number}").get_by_role("button", name="取件 Picked up").click()
            expect(courier.locator(f"#task-{number}")).to_contain_text("已取件 Picked up")
            expect(board.locator(f"#order-{number}")).to_have_attribute("data-column", "picked_up", timeout=5000)
            courier.locator(f"#task-{number}").get_by_role("button", name="送达 Delivered").click()
            expect(courier.get_by_text("暂无配送 No deliveries right now")).to_be_visible()
            expect(board.locator(f"#order-{number}")).to_have_attribute("data-column", "delivered", timeout=5000)
            assert board.evaluate("window.__sameDocument") is True, "the board reloaded"
            _, _, detail = server.http("GET", f"/api/v1/orders/{number}", token=admin)
            assert detail["order"]["status"] == "delivered" and detail["order"]["picked_up_at"], detail
            # The customer was told at each step, by the pushes the console's actions queued (dispatched, picked up, delivered).
            _, _, pushes = server.http("GET", "/dev/outbox?openid=o_console_e2e")
            assert len(pushes) >= 3, pushes

            step("an admin reveals the whole number (audited); phones and the 390 px board")
            admin_ctx = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
            admin_page = admin_ctx.new_page()
            sign_in(admin_page, base, "e2e-admin", "console e2e admin 2026")
            expect(admin_page).to_have_url(f"{base}/console")
            shot(admin_page, "console-board-390.png")
            admin_page.goto(f"{base}/console/orders/{number}")
            admin_page.get_by_role("button", name="显示号码 Show number").click()
            expect(admin_page.locator("#phone")).to_have_text("13800138000")
            shot(admin_page, "console-order-390.png")
            _, _, audit = server.http("GET", "/api/v1/audit", token=admin)
            assert any(e["action"] == "order.phone_reveal" for e in audit["items"]), audit
            assert "13800138000" not in server.log_text(), "a whole phone number reached the log"

            step("the couriers screen: on duty, positions plotted, a new binding code for the admin")
            admin_page.goto(f"{base}/console/couriers")
            row = admin_page.locator("tr", has_text="王师傅")
            expect(row).to_contain_text("在岗 On duty")
            expect(admin_page.locator("svg.plot circle")).to_have_count(1)
            shot(admin_page, "console-couriers-390.png")
            admin_page.set_viewport_size(DESKTOP)
            row.get_by_role("button", name="绑定码 Binding code").click()
            expect(row.locator("output")).to_have_text(re.compile(r"^[2-9A-HJ-NP-Z]{8}$"))
            shot(admin_page, "console-couriers-1280.png")

            step("the message board's post is text there too; the audit log shows the console's actions")
            admin_page.goto(f"{base}/console/board")
            expect(admin_page.locator(".post .body").first).to_contain_text(XSS_POST)
            assert admin_page.locator(".post img").count() == 0 and admin_page.evaluate("window.__xss") is None
            shot(admin_page, "console-board-posts-1280.png")
            admin_page.goto(f"{base}/console/audit")
            expect(admin_page.locator("table")).to_contain_text("order.dispatch")
            expect(admin_page.locator("table")).to_contain_text("order.phone_reveal")
            shot(admin_page, "console-audit-1280.png")

            step("the daily reports: yesterday's (built at start) with its signed page")
            admin_page.goto(f"{base}/console/reports")
            expect(admin_page.locator("table tbody tr").first).to_be_visible()
            shot(admin_page, "console-reports-1280.png")
            with admin_page.expect_navigation():
                admin_page.locator("table tbody tr").first.get_by_role("link", name="报表 Report").click()
            assert "/reports/" in admin_page.url and admin_page.locator("h1").count() >= 1

            step("merchants: a dish sold out (估清) and back, a shop paused and resumed")
            admin_page.goto(f"{base}/console/merchants")
            shop = admin_page.locator("section.merchant").first
            dish = shop.locator("tbody tr").first
            dish.get_by_role("button", name="估清 Sold out").click()
            expect(admin_page.locator("section.merchant").first.locator("tbody tr").first).to_contain_text("估清 Sold out")
            admin_page.locator("section.merchant").first.get_by_role("button", name="暂停接单 Pause").click()
            expect(admin_page.locator("section.merchant").first.locator(".state")).to_contain_text("Paused")
            shot(admin_page, "console-merchants-1280.png")
            admin_page.locator("section.merchant").first.get_by_role("button", name="恢复接单 Resume").click()
            expect(admin_page.locator("section.merchant").first.locator(".state")).to_contain_text("Taking orders")
            admin_page.locator("section.merchant").first.locator("tbody tr").first.get_by_role("button", name="恢复供应 Back in stock").click()
            expect(admin_page.locator("section.merchant").first.locator("tbody tr").first).to_contain_text("有货 Available")

            step("an admin adds a dispatcher on the staff screen")
            admin_page.goto(f"{base}/console/staff")
            admin_page.get_by_label("用户名 Username").fill("night-shift")
            admin_page.get_by_label("初始密码 Initial password").fill("night shift password 2026")
            admin_page.get_by_role("button", name="创建 Create").click()
            expect(admin_page.locator("table")).to_contain_text("night-shift")
            shot(admin_page, "console-staff-1280.png")

            step("a dropped event stream catches up by Last-Event-ID, or is told to reload")
            session_cookie = next(c for c in admin_ctx.cookies() if c["name"] == "dm_console")
            cookie = f"dm_console={session_cookie['value']}"
            hello = stream_opening(server, cookie, wait_for=lambda events: events[-1][0] == "hello")
            last_id = hello[-1][2]
            second = order_by_chat(server, "o_console_e2e_2", "1 Century Avenue")
            missed = stream_opening(server, cookie, last_event_id=last_id,
                                    wait_for=lambda events: any(e == "order" and d == str(second) for e, d, _ in events))
            assert any(e == "order" and d == str(second) for e, d, _ in missed), missed
            stale = stream_opening(server, cookie, last_event_id="someotherprocess-1", wait_for=lambda events: events[-1][0] == "reload")
            assert stale[-1][0] == "reload", stale

            step("an ad edited in the console: price, description, an image previewed, then uploaded")
            admin_page.goto(f"{base}/console/ads")
            admin_page.get_by_role("link", name="牛肉面 / beef noodles").click()
            expect(admin_page).to_have_url(f"{base}/console/ads/beef-noodles")
            admin_page.get_by_label("价格（元） Price (yuan)").fill("19.5x")
            admin_page.get_by_role("button", name="保存 Save").click()
            expect(admin_page.locator("#action-error")).to_contain_text("an amount like 18 or 18.50")   # money is never guessed
            admin_page.get_by_label("价格（元） Price (yuan)").fill("19.50")
            admin_page.get_by_label("中文介绍 Description (Chinese)").fill("手工拉面 <b>现做</b>")
            expect(admin_page.locator("#preview-desc")).to_have_text("手工拉面 <b>现做</b>")   # the preview follows, as text
            expect(admin_page.locator("#preview-price")).to_have_text("19.50")
            admin_page.get_by_label("选择图片 Choose an image (PNG, JPEG, WebP, ≤ 2 MB)").set_input_files(
                {"name": "noodles.png", "mimeType": "image/png", "buffer": tiny_png()})
            expect(admin_page.locator("#ad-preview-img")).to_have_attribute("src", re.compile(r"^data:image/png;base64,"))
            admin_page.get_by_role("button", name="上传图片 Upload image").click()
            expect(admin_page.locator("#ad-image-status")).to_contain_text("Uploaded")
            expect(admin_page.locator("#ad-preview-img")).to_have_attribute("src", re.compile(r"^/media/ads/beef-noodles-[0-9a-f]+\.png$"))
            assert admin_page.evaluate("document.getElementById('ad-preview-img').naturalWidth") == 96
            with admin_page.expect_navigation():
                admin_page.get_by_role("button", name="保存 Save").click()
            expect(admin_page.get_by_label("价格（元） Price (yuan)")).to_have_value("19.50")
            _, _, ad = server.http("GET", "/api/v1/ads/beef-noodles", token=admin)
            assert ad["price_fen"] == 1950 and ad["description_zh"] == "手工拉面 <b>现做</b>" and "/media/ads/beef-noodles-" in ad["image_url"], ad
            assert admin_page.locator(".ad-preview b").count() == 0
            admin_page.set_viewport_size(DESKTOP)
            shot(admin_page, "console-ad-edit-1280.png")
            admin_page.set_viewport_size(PHONE)
            shot(admin_page, "console-ad-edit-390.png")
            admin_page.goto(f"{base}/console/ads")
            expect(admin_page.locator("img.thumb").first).to_be_visible()
            shot(admin_page, "console-ads-390.png")
            admin_page.set_viewport_size(DESKTOP)
            shot(admin_page, "console-ads-1280.png")

            step("a shop's rules edited in the console: hours per weekday, radius, minimum, banded fees, prep time")
            admin_page.goto(f"{base}/console/merchants")
            admin_page.locator("#merchant-lanzhou").get_by_role("link", name="规则 Rules").click()
            expect(admin_page).to_have_url(f"{base}/console/merchants/lanzhou")
            admin_page.get_by_label("全天营业 Open around the clock").uncheck()
            admin_page.get_by_label("周一 Mon").fill("10:00-14:00, 17:00-21:30")
            admin_page.get_by_label("周六 Sat").fill("late")
            for day in ["周二 Tue", "周三 Wed", "周四 Thu", "周五 Fri"]:
                admin_page.get_by_label(day).fill("00:00-24:00")
            admin_page.get_by_label("周日 Sun").fill("09:00-21:00")   # Saturday's late hours run into Sunday's small hours
            admin_page.get_by_label("配送半径（米，留空不限） Delivery radius (metres, empty: no limit)").fill("3000")
            admin_page.get_by_label("起送价（元） Minimum order (yuan)").fill("20")
            admin_page.get_by_label("备餐时间（分钟） Preparation time (minutes)").fill("25")
            admin_page.get_by_label("接受预约单（休息时可预订） Take orders for later while closed").check()
            admin_page.get_by_label("按距离 By distance").check()
            admin_page.get_by_label("第 1 档距离（米） Band 1 up to metres").fill("2000")
            admin_page.get_by_label("第 1 档运费（元） Band 1 fee in yuan").fill("3")
            admin_page.get_by_label("第 2 档运费（元） Band 2 fee in yuan").fill("6.5")
            admin_page.get_by_role("button", name="保存规则 Save rules").click()
            expect(admin_page.locator("#action-error")).to_contain_text("a time range like 10:00-14:00")
            admin_page.get_by_label("周六 Sat").fill("22:00-02:00")
            save_rules(admin_page)
            expect(admin_page.get_by_label("周一 Mon")).to_have_value("10:00-14:00, 17:00-21:30")
            _, _, rules = server.http("GET", "/api/v1/merchants/lanzhou/rules", token=admin)
            assert rules["hours"]["mon"] == [{"opens": "10:00", "closes": "14:00"}, {"opens": "17:00", "closes": "21:30"}], rules
            assert rules["hours"]["sat"] == [{"opens": "22:00", "closes": "02:00"}], rules
            assert rules["delivery_radius_metres"] == 3000 and rules["minimum_order_fen"] == 2000 and rules["preparation_minutes"] == 25, rules
            assert rules["delivery_fee"] == {"bands": [{"up_to_metres": 2000, "fee_fen": 300}, {"fee_fen": 650}]}, rules
            assert rules["accepts_orders_for_later"] is True, rules
            _, _, audit = server.http("GET", "/api/v1/audit", token=admin)
            assert any(e["action"] == "merchant.rules" for e in audit["items"]) and any(e["action"] == "ad.image" for e in audit["items"]), audit
            shot(admin_page, "console-rules-1280.png")
            admin_page.set_viewport_size(PHONE)
            shot(admin_page, "console-rules-390.png")
            # Back to open around the clock, no minimum, free delivery: the next chat order is not held up.
            admin_page.get_by_label("全天营业 Open around the clock").check()
            admin_page.get_by_label("起送价（元） Minimum order (yuan)").fill("0")
            admin_page.get_by_label("配送半径（米，留空不限） Delivery radius (metres, empty: no limit)").fill("")
            admin_page.get_by_label("免费 Free").check()
            save_rules(admin_page)
            _, _, rules = server.http("GET", "/api/v1/merchants/lanzhou/rules", token=admin)
            assert rules.get("hours") is None and rules["delivery_fee"] == {"flat_fen": 0}, rules

            step("a dispatcher binds their own WeChat with a code from 我的 Me and hears of the next new order")
            me = desk.new_page()
            me.goto(f"{base}/console/me")
            expect(me.get_by_text("未绑定 Not bound")).to_be_visible()
            me.get_by_role("button", name="获取绑定码 Get a binding code").click()
            expect(me.locator("#my-code")).to_have_text(re.compile(r"^[2-9A-HJ-NP-Z]{8}$"))
            code = me.locator("#my-code").text_content()
            status, reply = server.text("o_dispatcher_wechat", f"绑定 {code}")
            assert status == 200 and "绑定成功" in reply and "e2e-dispatcher" in reply, reply
            me.goto(f"{base}/console/me")
            expect(me.get_by_text("已绑定 Bound")).to_be_visible()
            me.get_by_label("新订单 New orders（确认或付款后推送 pushed once confirmed, or paid when payment is required）").check()
            with me.expect_navigation():
                me.get_by_role("button", name="保存 Save").click()
            expect(me.get_by_label("新订单 New orders（确认或付款后推送 pushed once confirmed, or paid when payment is required）")).to_be_checked()
            shot(me, "console-me-1280.png")
            third = order_by_chat(server, "o_console_e2e_3", "2 Century Avenue")
            deadline = time.time() + 15
            while time.time() < deadline and not any(f"#{third}" in str(p) for p in outbox(server, "o_dispatcher_wechat")):
                time.sleep(0.2)
            pushed = [str(p) for p in outbox(server, "o_dispatcher_wechat")]
            assert any(f"#{third}" in p and "新订单" in p for p in pushed), pushed
            assert not any("138" in p and "8000" in p for p in pushed), "a phone number in a staff push"
            me.set_viewport_size(PHONE)
            shot(me, "console-me-390.png")

            step("signed-out sessions are over")
            board.get_by_role("button", name="退出 Sign out").click()
            expect(board).to_have_url(f"{base}/console/signin")
            board.goto(f"{base}/console")
            expect(board).to_have_url(f"{base}/console/signin")
            fresh = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
            signin_phone = fresh.new_page()
            signin_phone.goto(f"{base}/console/signin")
            expect(signin_phone.get_by_role("button", name="登录 Sign in")).to_be_visible()
            shot(signin_phone, "console-signin-390.png")
            shot(courier, "courier-done-390.png")
            courier.set_viewport_size(DESKTOP)
            courier.goto(f"{base}/courier")
            shot(courier, "courier-tasks-1280.png")

            step("the API reference at /api/v1/docs lists the served document's endpoints, roles and schemas")
            status, _, document = server.http("GET", "/api/v1/openapi.json")
            assert status == 200, document
            operations = sum(len(item) for item in document["paths"].values())
            docs = browser.new_context(viewport=DESKTOP, locale="en-US").new_page()
            problems = []
            docs.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            docs.on("pageerror", lambda e: problems.append(str(e)))
            docs.goto(f"{base}/api/v1/docs")
            expect(docs.locator("#status")).to_have_text(f"{operations} endpoints, {len(document['components']['schemas'])} schemas.")
            assert docs.locator("article.op").count() == operations
            dispatch = docs.locator("#op-post--orders-id-dispatch")
            expect(dispatch).to_contain_text("Dispatch the order to a courier")
            expect(dispatch.locator(".roles")).to_have_text(re.compile(r"Roles: admin\s*dispatcher\s*idempotent \(Idempotency-Key\)"))
            expect(dispatch).to_contain_text("409")
            docs.select_option("#role", "courier")
            expect(dispatch).to_be_hidden()
            expect(docs.locator("#op-post--courier-position")).to_be_visible()
            docs.select_option("#role", "")
            docs.fill("#filter", "refund")
            expect(docs.locator("#op-post--orders-id-refund")).to_be_visible()
            expect(docs.locator("#op-get--orders")).to_be_hidden()
            docs.fill("#filter", "")
            dispatch.get_by_role("link", name="Dispatch", exact=True).click()
            expect(docs).to_have_url(re.compile(r".*#schema-Dispatch$"))
            expect(docs.locator("#schema-Dispatch")).to_contain_text("courier_id")
            shot(docs, "api-docs-1280.png")
            assert not problems, f"the docs page logged errors (a CSP violation?): {problems}"
            browser.close()
        step(f"passed in {time.time() - started:.1f} s")
    except Exception:
        print(server.log_text()[-4000:], file=sys.stderr)
        raise
    finally:
        lib.stop_all()


if __name__ == "__main__":
    main()
