"""Couriers (issue 15, items 1, 2, 11, the courier part of 12, and the suspected deliver-outside-the-lock).

Each attack replays what got through before the fix: a replaced courier's WeChat user still listing deliveries,
delivering and unbinding the real courier; guessing a binding code across many WeChat users; a dispatcher minting
a courier to read whole phone numbers; a deactivated courier or a replaced app token still working; a courier
delivering another courier's order.
"""

import random
import time

import lib

PASSWORD = "correct horse battery"
PHONE = "13800138000"


def api(server, method, path, body=None, token=None):
    status, _, answer = server.http(method, "/api/v1" + path, json_body=body, token=token)
    return status, answer


def setup():
    """A fresh server with an admin and a dispatcher signed in; returns (server, admin token, dispatcher token)."""
    server = lib.Server()
    server.staff("admin1", "admin", PASSWORD)
    server.staff("dispatcher1", "dispatcher", PASSWORD)
    return server, server.login("admin1", PASSWORD)["token"], server.login("dispatcher1", PASSWORD)["token"]


def add_courier(server, admin, name="王师傅"):
    # With a phone number: a courier nothing can reach (no WeChat, no phone) is refused a dispatch.
    status, created = api(server, "POST", "/couriers", {"name": name, "phone": "13700137009"}, token=admin)
    assert status == 201, f"an admin adds a courier: {status} {created}"
    return created["courier"]["id"], created["api_token"], created["binding_code"]


def new_code(server, admin, courier_id):
    status, answer = api(server, "POST", f"/couriers/{courier_id}/binding-code", token=admin)
    assert status == 201, f"{status} {answer}"
    return answer["code"]


def place_order(server, openid):
    """A confirmed order #1001 through the signed webhook."""
    for text in ["1 份牛肉面", "人民广场 1 号", PHONE, "确认"]:
        status, reply = server.text(openid, text)
        assert status == 200, f"{text}: {status} {reply}"
    assert "已确认" in reply, reply


def bind(server, openid, code):
    status, reply = server.text(openid, f"绑定 {code}")
    assert status == 200 and "绑定成功" in reply, f"binding {openid}: {reply}"


def order_status(server, admin, order_id=1001):
    status, order = api(server, "GET", f"/orders/{order_id}", token=admin)
    assert status == 200, f"{status} {order}"
    return order["order"]["status"]


def attack_replaced_courier_keeps_courier_powers():
    server, admin, dispatcher = setup()
    courier_id, _, code = add_courier(server, admin)
    place_order(server, "o_customer")
    assert api(server, "POST", "/orders/1001/dispatch", {"courier_id": courier_id}, token=dispatcher)[0] == 200
    bind(server, "o_old_phone", code)
    assert PHONE in server.text("o_old_phone", "任务")[1], "while bound the courier sees the delivery"
    # Staff re-issue the code (the courier's phone was lost) and the courier's new WeChat binds with it.
    bind(server, "o_new_phone", new_code(server, admin, courier_id))
    listed = server.text("o_old_phone", "任务")[1]
    assert PHONE not in listed and "#1001" not in listed, f"the replaced WeChat user still lists the delivery: {listed}"
    server.text("o_old_phone", "送达 #1001")
    assert order_status(server, admin) == "dispatched", "the replaced WeChat user marked the order delivered"
    server.text("o_old_phone", "解绑")
    assert PHONE in server.text("o_new_phone", "任务")[1], "the replaced WeChat user's 解绑 unbound the real courier"


def attack_guess_a_binding_code_across_many_wechat_users():
    server, admin, _ = setup()
    courier_id, _, code = add_courier(server, admin)
    assert len(code) == 8 and code.isalnum() and code.upper() == code, f"binding code {code!r} is not 8 characters"
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    # Every guess from a new WeChat user, so no per-user rate limit or lockout ever applies.
    for attempt in range(12):
        guess = "".join(random.choice(alphabet) for _ in range(8))
        if guess == code:
            continue
        status, reply = server.text(f"o_guesser_{attempt}", f"绑定 {guess}")
        assert status == 200 and "绑定成功" not in reply, reply
    status, reply = server.text("o_lucky", f"绑定 {code}")
    assert "绑定成功" not in reply, "the code survived a dozen wrong guesses from a dozen WeChat users"
    status, couriers = api(server, "GET", "/couriers", token=admin)
    assert not [c for c in couriers["items"] if c["id"] == courier_id][0]["wechat_bound"]


def attack_one_wechat_user_keeps_guessing_binding_codes():
    server, admin, _ = setup()
    courier_id, _, _ = add_courier(server, admin)
    code = new_code(server, admin, courier_id)
    for attempt in range(5):
        server.text("o_guesser", f"bind ZZZZ{2222 + attempt}")
    status, reply = server.text("o_guesser", f"bind {code}")
    assert "bound as courier" not in reply and "Too many" in reply, f"a user with five wrong codes still got in: {reply}"


def attack_dispatcher_mints_a_courier_to_read_whole_numbers():
    server, admin, dispatcher = setup()
    courier_id, _, _ = add_courier(server, admin)
    place_order(server, "o_customer")
    status, _ = api(server, "POST", "/couriers", {"name": "Me", "phone": "13700137000"}, token=dispatcher)
    assert status == 403, f"a dispatcher created a courier (and got its token): {status}"
    status, _ = api(server, "POST", f"/couriers/{courier_id}/binding-code", token=dispatcher)
    assert status == 403, f"a dispatcher got a courier's binding code: {status}"
    status, _ = api(server, "POST", f"/couriers/{courier_id}/api-token", token=dispatcher)
    assert status == 403, f"a dispatcher got a courier's app token: {status}"
    status, order = api(server, "GET", "/orders/1001", token=dispatcher)
    assert status == 200 and PHONE not in str(order), "a dispatcher sees the whole number"


def attack_deactivated_courier_and_replaced_token_keep_working():
    server, admin, dispatcher = setup()
    courier_id, token, code = add_courier(server, admin)
    place_order(server, "o_customer")
    assert api(server, "POST", "/orders/1001/dispatch", {"courier_id": courier_id}, token=dispatcher)[0] == 200
    bind(server, "o_courier", code)
    position = {"latitude": 31.23, "longitude": 121.47}
    assert api(server, "POST", "/courier/position", position, token=token)[0] == 202
    assert api(server, "POST", f"/couriers/{courier_id}/deactivate", token=dispatcher)[0] == 403
    assert api(server, "POST", f"/couriers/{courier_id}/deactivate", token=admin)[0] == 200
    assert api(server, "GET", "/courier/deliveries", token=token)[0] == 401, "a deactivated courier's app token still works"
    assert PHONE not in server.text("o_courier", "任务")[1], "a deactivated courier's chat still lists deliveries"
    server.text("o_courier", "送达 #1001")
    assert order_status(server, admin) == "dispatched", "a deactivated courier delivered an order"
    assert api(server, "POST", f"/couriers/{courier_id}/reactivate", token=admin)[0] == 200
    status, issued = api(server, "POST", f"/couriers/{courier_id}/api-token", token=admin)
    assert status == 201, f"{status} {issued}"
    assert api(server, "GET", "/courier/deliveries", token=token)[0] == 401, "the replaced app token still works"
    assert api(server, "GET", "/courier/deliveries", token=issued["api_token"])[0] == 200
    assert api(server, "DELETE", f"/couriers/{courier_id}/api-token", token=admin)[0] == 204
    assert api(server, "GET", "/courier/deliveries", token=issued["api_token"])[0] == 401, "a revoked app token still works"


def attack_courier_delivers_another_couriers_order():
    server, admin, dispatcher = setup()
    first, _, _ = add_courier(server, admin, "A")
    _, other_token, _ = add_courier(server, admin, "B")
    place_order(server, "o_customer")
    assert api(server, "POST", "/orders/1001/dispatch", {"courier_id": first}, token=dispatcher)[0] == 200
    status, answer = api(server, "POST", "/orders/1001/deliver", token=other_token)
    assert status == 403, f"courier B delivered courier A's order: {status} {answer}"
    assert order_status(server, admin) == "dispatched"
    status, answer = api(server, "GET", "/courier/deliveries", token=other_token)
    assert status == 200 and PHONE not in str(answer), "courier B sees courier A's customer's number"


def attack_dispatcher_searches_the_masked_digits_away():
    """138****8000 leaves 10,000 candidates: search each by number (from 9999 down: the real 0013 comes late)."""
    server, admin, dispatcher = setup()
    place_order(server, "o_customer")
    found, refused = None, 0
    for middle in range(9_999, -1, -1):
        guess = f"138{middle:04d}8000"
        status, page = api(server, "GET", f"/orders?phone={guess}", token=dispatcher)
        if status == 429:
            refused += 1
            break
        assert status == 200, f"{status} {page}"
        if page["total"]:
            found = guess
            break
    assert found is None and refused and 9_999 - middle <= 20, f"a dispatcher searched {9_999 - middle + 1} numbers: {found}"
