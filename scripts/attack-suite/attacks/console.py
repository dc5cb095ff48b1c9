"""The staff console and the courier web app (issue 20): browser sessions reaching the staff API.

A console session is a cookie; what a cross-site page can make a browser send is that cookie and nothing else. Each
attack replays what such a page, a stolen or signed-out cookie, a courier's session or a password guesser would try,
and checks it is refused, with a control that the same call works when it is legitimate.
"""

import http.client
import re
import urllib.parse

import lib
from attacks.staff_auth import PASSWORD, place_order

LOGIN_COOKIE = "dm_login"


def request(server, method, path, body=None, headers=None, source=None):
    """(status, lower-cased headers, all Set-Cookie values, body text)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30,
                                      source_address=(source, 0) if source else None)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        cookies = [value for name, value in response.getheaders() if name.lower() == "set-cookie"]
        return response.status, {k.lower(): v for k, v in response.getheaders()}, cookies, text
    finally:
        conn.close()


def cookie_pairs(set_cookies):
    """name -> value of the Set-Cookie headers (attributes dropped)."""
    pairs = {}
    for value in set_cookies:
        name, _, rest = value.partition("=")
        pairs[name.strip()] = rest.split(";", 1)[0]
    return pairs


def sign_in(server, username, password=PASSWORD, source=None):
    """Signs in through the form as a browser does; returns (status, session cookie header or None, csrf or None)."""
    status, _, cookies, page = request(server, "GET", "/console/signin", source=source)
    assert status == 200, f"the sign-in page: {status}"
    login = cookie_pairs(cookies)
    login_name = next(name for name in login if "login" in name)
    form_token = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrf": form_token, "username": username, "password": password})
    status, headers, cookies, _ = request(server, "POST", "/console/signin", body=body, source=source, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"{login_name}={login[login_name]}"})
    session = {name: value for name, value in cookie_pairs(cookies).items() if value and "login" not in name}
    if status != 303 or not session:
        return status, None, None
    cookie = "; ".join(f"{name}={value}" for name, value in session.items())
    status, _, _, board = request(server, "GET", "/console", headers={"Cookie": cookie})
    match = re.search(r'name="csrf-token" content="([0-9a-f]+)"', board) or re.search(r'data-csrf="([0-9a-f]+)"', board)
    return 303, cookie, match.group(1) if match else None


def cancel(server, order_id, cookie, csrf=None, reason="attack"):
    headers = {"Cookie": cookie, "Content-Type": "application/json"}
    if csrf is not None:
        headers["X-CSRF-Token"] = csrf
    status, _, _, text = request(server, "POST", f"/api/v1/orders/{order_id}/cancel", body=f'{{"reason":"{reason}"}}',
                                 headers=headers)
    return status, text


def attack_a_cross_site_post_with_the_session_cookie_alone_changes_nothing():
    server = lib.Server()
    server.staff("disp", "dispatcher", PASSWORD)
    order_id = place_order(server, "o_console_csrf")
    status, cookie, csrf = sign_in(server, "disp")
    assert status == 303 and cookie and csrf, f"the dispatcher signs in through the form ({status}, csrf {csrf})"
    for presented in (None, "", "0" * 64, csrf[:-1] + ("0" if csrf[-1] != "0" else "1")):
        status, text = cancel(server, order_id, cookie, presented)
        assert status in (401, 403), f"cancel with the cookie and CSRF token {presented!r} answered {status}: {text[:200]}"
    status, text = cancel(server, order_id, cookie, csrf)
    assert status == 200, f"control: the console's own call with its token should work: {status} {text[:200]}"


def attack_a_page_elsewhere_signs_the_browser_in_as_someone_else():
    """Login CSRF: the sign-in form's token must pair with the cookie the form page set, not be any token at all."""
    server = lib.Server()
    server.staff("mallory", "dispatcher", PASSWORD)
    token = "a" * 64
    form = urllib.parse.urlencode({"csrf": token, "username": "mallory", "password": PASSWORD})
    for cookie in (None, f"{LOGIN_COOKIE}={'b' * 64}"):
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if cookie:
            headers["Cookie"] = cookie
        status, _, cookies, _ = request(server, "POST", "/console/signin", body=form, headers=headers)
        session = {n: v for n, v in cookie_pairs(cookies).items() if v and "login" not in n}
        assert status == 403 and not session, f"a sign-in without its own form's cookie ({cookie}) answered {status}, cookies {cookies}"


def attack_the_session_cookie_is_readable_by_scripts_or_sent_cross_site():
    server = lib.Server(env={"PUBLIC_BASE_URL": "https://shop.example"})
    server.staff("disp", "dispatcher", PASSWORD)
    status, _, cookies, page = request(server, "GET", "/console/signin")
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
    login = cookie_pairs(cookies)
    login_name = next(iter(login))
    form = urllib.parse.urlencode({"csrf": token, "username": "disp", "password": PASSWORD})
    status, _, cookies, _ = request(server, "POST", "/console/signin", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"{login_name}={login[login_name]}"})
    assert status == 303, f"sign-in over https: {status}"
    session = [value for value in cookies if "login" not in value.split("=", 1)[0] and value.split("=", 1)[1].split(";")[0]]
    assert session, f"no session cookie: {cookies}"
    attributes = [part.strip().lower() for part in session[0].split(";")[1:]]
    for wanted in ("httponly", "samesite=strict", "secure", "path=/"):
        assert wanted in attributes, f"the session cookie lacks {wanted}: {session[0]}"
    assert session[0].startswith("__Host-"), f"behind https the cookie should be __Host- bound to the origin: {session[0]}"


def attack_a_courier_session_opens_the_dispatch_board():
    server = lib.Server()
    server.staff("boss", "admin", PASSWORD)
    admin = server.login("boss", PASSWORD)["token"]
    status, _, created = server.http("POST", "/api/v1/couriers", {"name": "王师傅"}, token=admin)
    assert status == 201, f"{status} {created}"
    status, _, cookies, _ = request(server, "GET", "/courier/login?token=" + urllib.parse.quote(created["api_token"]))
    assert status == 200, f"the courier's link signs in: {status}"
    cookie = "; ".join(f"{n}={v}" for n, v in cookie_pairs(cookies).items() if v)
    status, _, _, page = request(server, "GET", "/courier", headers={"Cookie": cookie})
    assert status == 200, f"control: the courier's own page opens ({status})"
    csrf = (re.search(r'name="csrf-token" content="([0-9a-f]+)"', page) or re.search(r'data-csrf="([0-9a-f]+)"', page))
    for path in ("/console", "/console/events", "/console/couriers", "/console/staff", "/console/audit"):
        status, _, _, _ = request(server, "GET", path, headers={"Cookie": cookie})
        assert status in (401, 403), f"a courier session opened {path}: {status}"
    assert csrf, "the courier page carries its session's CSRF token for its buttons"
    for method, path in (("GET", "/api/v1/orders"), ("GET", "/api/v1/couriers"), ("GET", "/api/v1/audit")):
        status, _, _, _ = request(server, method, path, headers={"Cookie": cookie, "X-CSRF-Token": csrf.group(1)})
        assert status == 403, f"a courier session read {path} through the API: {status}"


def attack_a_signed_out_or_deactivated_session_keeps_working():
    server = lib.Server()
    server.staff("boss", "admin", PASSWORD)
    server.staff("disp", "dispatcher", PASSWORD)
    admin = server.login("boss", PASSWORD)["token"]
    status, cookie, csrf = sign_in(server, "disp")
    assert cookie and csrf
    status, _, _, _ = request(server, "POST", "/console/signout", body=urllib.parse.urlencode({"csrf": csrf}),
                              headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    assert status in (200, 303), f"sign-out: {status}"
    status, headers, _, _ = request(server, "GET", "/console", headers={"Cookie": cookie})
    assert status == 303 and headers.get("location", "").startswith("/console/signin"), f"a signed-out cookie still opens the board: {status}"
    status, _, _, _ = request(server, "GET", "/api/v1/orders", headers={"Cookie": cookie, "X-CSRF-Token": csrf})
    assert status == 401, f"a signed-out cookie still reads the API: {status}"

    status, cookie, csrf = sign_in(server, "disp")
    assert cookie and csrf
    status, _, staff = server.http("GET", "/api/v1/staff", token=admin)
    disp = next(member for member in staff["staff"] if member["username"] == "disp")
    status, _, answer = server.http("POST", f"/api/v1/staff/{disp['id']}/deactivate", {}, token=admin)
    assert status in (200, 204), f"deactivate: {status} {answer}"
    status, _, _, _ = request(server, "GET", "/api/v1/orders", headers={"Cookie": cookie, "X-CSRF-Token": csrf})
    assert status == 401, f"a deactivated dispatcher's open console session still reads the API: {status}"


def attack_guessing_passwords_through_the_console_form_is_not_limited():
    server = lib.Server()
    server.staff("owner", "admin", PASSWORD)
    statuses = [sign_in(server, "owner", "wrong guess", source="127.0.0.5")[0] for _ in range(12)]
    assert 429 in statuses, f"12 wrong passwords through the form, never slowed down: {statuses}"
    status, cookie, _ = sign_in(server, "owner", source="127.0.0.5")
    assert cookie is None, "the guessing address signed in right after a dozen wrong guesses"
    status, cookie, _ = sign_in(server, "owner", source="127.0.0.6")
    assert cookie, f"the owner, from elsewhere, is locked out of the console: {status}"


def attack_messages_to_customers_from_outside_the_office():
    """`POST /api/v1/customers/{openid}/messages` puts staff words in a customer's chat: office roles only."""
    server = lib.Server()
    server.staff("boss", "admin", PASSWORD)
    server.staff("disp", "dispatcher", PASSWORD)
    admin = server.login("boss", PASSWORD)["token"]
    status, _, created = server.http("POST", "/api/v1/couriers", {"name": "李师傅"}, token=admin)
    courier_token = created["api_token"]
    path = "/api/v1/customers/o_someone/messages"
    for token in (None, "not-a-token", courier_token):
        status, _, _ = server.http("POST", path, {"body": "您的订单已退款，请点击链接领取"}, token=token,
                                   headers={"Idempotency-Key": lib.nonce(16)})
        assert status in (401, 403), f"a message to a customer with token {str(token)[:12]!r} answered {status}"
    dispatcher = server.login("disp", PASSWORD)["token"]
    for bad in ({"body": ""}, {"body": "x" * 501}, {}):
        status, _, _ = server.http("POST", path, bad, token=dispatcher, headers={"Idempotency-Key": lib.nonce(16)})
        assert status == 400, f"a malformed staff message {str(bad)[:40]} answered {status}"
    status, _, _ = server.http("POST", "/api/v1/customers/o_someone%00x/messages", {"body": "hi"}, token=dispatcher,
                               headers={"Idempotency-Key": lib.nonce(16)})
    assert status in (400, 404), f"a control character in the openid answered {status}"
    status, _, body = server.http("POST", path, {"body": "您好，骑手五分钟后到"}, token=dispatcher,
                                  headers={"Idempotency-Key": lib.nonce(16)})
    assert status == 201, f"control: the dispatcher's message goes out: {status} {body}"
