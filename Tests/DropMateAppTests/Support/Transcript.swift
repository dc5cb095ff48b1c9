import DropMateCore
import Foundation

/// A golden chat transcript (`conversations/**/*.chat`); the format is described in conversations/README.md.
struct Transcript {
    /// One step: an action with the reply and pushes it must produce.
    struct Step {
        var line: Int
        var action: Action
        var expectedReply: [String]?
        var expectedPushes: [[String]] = []
    }

    enum Action: Equatable {
        case send(String)
        case retry
        case user(String)
        case mode(String)
        case clockSet(String)
        case clockAdvance(Int64)
        case staff(command: String, orderID: Int64, reason: String?)
        /// `@staff courier NAME CODE`: a new courier whose binding code is CODE.
        case addCourier(name: String, code: String)
        /// `@staff assign ORDER COURIER`.
        case assign(orderID: Int64, courierID: Int64)
        /// `@staff message OPENID TEXT` / `@staff message-end OPENID TEXT`: staff write to the customer in their chat
        /// (`POST /api/v1/customers/{openid}/messages`), the second ending a handoff.
        case staffMessage(openID: String, text: String, endsHandoff: Bool)
        /// `@staff member NAME CODE`: a dispatcher account NAME whose WeChat binding code is CODE, subscribed to new
        /// orders; from then on the file shows the new-order notices staff get (`! [staff] 【新订单】…`).
        case addStaffMember(name: String, code: String)
        /// `@staff code COURIER CODE`: staff issue the courier a new binding code (the old one stops working).
        case newBindingCode(courierID: Int64, code: String)
        /// `@staff deactivate COURIER` / `@staff reactivate COURIER`.
        case setCourierActive(courierID: Int64, active: Bool)
        /// `@courier-app COURIER LAT,LNG`: the courier's app posts a position to the REST endpoint.
        case courierApp(courierID: Int64, latitude: Double, longitude: Double)
        /// `@eta-refresh`: the worker's periodic ETA sweep, then every queued ETA refresh runs.
        case etaRefresh
        /// `@worker`: the queued ETA refreshes run (as the worker would).
        case runETAJobs
        case sweep
        case confirmLink
        case expectOrder(id: Int64, status: String)
        /// `@staff rules|pause|resume|sold-out|back …`: a shop owner calls the staff API (Transcript+Shop).
        case shop(ShopCall)
        /// `@order-fee ID`: the stored order's items total, delivery fee, total and distance as the staff API shows them.
        case orderMoney(id: Int64)
        /// `@payment required|optional`: WeChat Pay is configured (against a fake on loopback) for the whole file.
        case payment(mode: String)
        /// `@pay-page`: the customer opens the last pay link.
        case payPage
        /// `@pay-page cash`: the customer opens the last pay link and taps 货到付款 (the page's signed form).
        case payPageCash
        /// `@pay ORDER` / `@pay-late ORDER`: the customer pays; WeChat Pay's callback comes now, or is held back.
        case pay(orderID: Int64, deliver: Bool)
        /// `@callback`: WeChat Pay delivers the last callback (again).
        case callback
        /// `@jobs`: the worker runs the jobs that are due.
        case runJobs
        /// `@refund-done REFUNDNO`: WeChat Pay finishes the refund and calls back.
        case refundDone(String)
        /// `@maps amap|tencent`: a map service (a fake on loopback) geocodes typed addresses for the whole file.
        case maps(provider: String)
        /// `@geocode LAT,LNG ADDRESS` / `@geocode-vague LAT,LNG ADDRESS`: the map service places ADDRESS there, precisely
        /// or only to the city.
        case geocode(address: String, latitude: Double, longitude: Double, precise: Bool)
        /// `@menu-cart MERCHANT ITEM=QTY…`: the customer opens the last menu link and sends that shop's cart.
        case menuCart(merchantID: String, fields: [String])
        /// `@menu-cart-again`: the same form is sent again (a double tap).
        case menuCartAgain
    }

    var path: String
    var lines: [String]
    var steps: [Step]

    struct ParseError: Error, CustomStringConvertible {
        var path: String
        var line: Int
        var message: String
        var description: String { "\(path):\(line): \(message)" }
    }

    init(path: String) throws {
        self.path = path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        steps = []
        for (index, raw) in lines.enumerated() {
            let number = index + 1
            if raw.hasPrefix("#") || raw.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            if raw == "<" || raw.hasPrefix("< ") {
                guard !steps.isEmpty else {
                    throw ParseError(path: path, line: number, message: "reply before any action")
                }
                steps[steps.count - 1].expectedReply =
                    (steps[steps.count - 1].expectedReply ?? []) + [String(raw.dropFirst(2))]
            } else if raw == "!" || raw.hasPrefix("! ") || raw.hasPrefix("!! ") {
                guard !steps.isEmpty else {
                    throw ParseError(path: path, line: number, message: "push before any action")
                }
                let startsNew = raw.hasPrefix("!! ") || steps[steps.count - 1].expectedPushes.isEmpty
                let content = raw.hasPrefix("!! ") ? String(raw.dropFirst(3)) : String(raw.dropFirst(2))
                if startsNew {
                    steps[steps.count - 1].expectedPushes.append([content])
                } else {
                    steps[steps.count - 1].expectedPushes[steps[steps.count - 1].expectedPushes.count - 1].append(
                        content)
                }
            } else if raw.hasPrefix("> ") || raw == ">" {
                steps.append(Step(line: number, action: .send(String(raw.dropFirst(2)))))
            } else if raw.hasPrefix("@") {
                steps.append(
                    Step(line: number, action: try Self.directive(String(raw.dropFirst()), path: path, line: number)))
            } else {
                throw ParseError(path: path, line: number, message: "unknown line; start it with >, <, !, @ or #")
            }
        }
    }

    static func directive(_ text: String, path: String, line: Int) throws -> Action {
        let words = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        func fail(_ message: String) -> ParseError { ParseError(path: path, line: line, message: message) }
        switch words.first {
        case "user": guard words.count == 2 else { throw fail("@user OPENID") }; return .user(words[1])
        case "mode":
            guard words.count == 2 else { throw fail("@mode plaintext|compatible|safe") }; return .mode(words[1])
        case "retry": return .retry
        case "sweep": return .sweep
        case "confirm-link": return .confirmLink
        case "clock":
            guard words.count >= 2 else { throw fail("@clock +30m or @clock YYYY-MM-DD HH:MM") }
            if words[1].hasPrefix("+") {
                let amount = words[1].dropFirst()
                guard let unit = amount.last, let value = Int64(amount.dropLast()) else {
                    throw fail("@clock +NNm / +NNs / +NNh")
                }
                switch unit {
                case "s": return .clockAdvance(value)
                case "m": return .clockAdvance(value * 60)
                case "h": return .clockAdvance(value * 3600)
                default: throw fail("clock unit must be s, m or h")
                }
            }
            return .clockSet(words.dropFirst().joined(separator: " "))
        case "staff" where words.count >= 2 && ShopCall.verbs.contains(words[1]):
            return .shop(try ShopCall(words: words, text: text, fail: fail))
        case "staff" where words.count >= 2 && words[1] == "courier":
            guard words.count == 4, words[3].count == BindingCodePolicy.standard.length,
                words[3].allSatisfy(BindingCodePolicy.alphabet.contains)
            else {
                throw fail("@staff courier NAME CODE (eight characters of BindingCodePolicy.alphabet)")
            }
            return .addCourier(name: words[2], code: words[3])
        case "staff" where words.count >= 2 && words[1] == "member":
            guard words.count == 4, words[3].count == BindingCodePolicy.standard.length,
                words[3].allSatisfy(BindingCodePolicy.alphabet.contains)
            else {
                throw fail("@staff member NAME CODE (eight characters of BindingCodePolicy.alphabet)")
            }
            return .addStaffMember(name: words[2], code: words[3])
        case "staff" where words.count >= 2 && words[1] == "code":
            guard words.count == 4, let courier = Int64(words[2]), words[3].count == BindingCodePolicy.standard.length,
                words[3].allSatisfy(BindingCodePolicy.alphabet.contains)
            else { throw fail("@staff code COURIER CODE") }
            return .newBindingCode(courierID: courier, code: words[3])
        case "staff" where words.count >= 2 && (words[1] == "deactivate" || words[1] == "reactivate"):
            guard words.count == 3, let courier = Int64(words[2]) else {
                throw fail("@staff deactivate|reactivate COURIER")
            }
            return .setCourierActive(courierID: courier, active: words[1] == "reactivate")
        case "staff" where words.count >= 2 && (words[1] == "message" || words[1] == "message-end"):
            guard words.count >= 4 else { throw fail("@staff message|message-end OPENID TEXT") }
            return .staffMessage(
                openID: words[2], text: words.dropFirst(3).joined(separator: " "),
                endsHandoff: words[1] == "message-end")
        case "staff" where words.count >= 2 && words[1] == "assign":
            guard words.count == 4, let order = Int64(words[2].trimmingCharacters(in: CharacterSet(charactersIn: "#"))),
                let courier = Int64(words[3])
            else {
                throw fail("@staff assign ORDER COURIER")
            }
            return .assign(orderID: order, courierID: courier)
        case "courier-app":
            let parts = words.count == 3 ? words[2].split(separator: ",").compactMap { Double($0) } : []
            guard words.count == 3, let courier = Int64(words[1]), parts.count == 2 else {
                throw fail("@courier-app COURIER LAT,LNG")
            }
            return .courierApp(courierID: courier, latitude: parts[0], longitude: parts[1])
        case "payment":
            guard words.count == 2, ["required", "optional"].contains(words[1]) else {
                throw fail("@payment required|optional")
            }; return .payment(mode: words[1])
        case "pay-page":
            guard words.count == 1 || (words.count == 2 && words[1] == "cash") else { throw fail("@pay-page [cash]") }
            return words.count == 2 ? .payPageCash : .payPage
        case "pay", "pay-late":
            guard words.count == 2, let id = Int64(words[1].trimmingCharacters(in: CharacterSet(charactersIn: "#")))
            else { throw fail("@\(words[0]) ORDER") }
            return .pay(orderID: id, deliver: words[0] == "pay")
        case "callback": return .callback
        case "jobs": return .runJobs
        case "refund-done":
            guard words.count == 2 else { throw fail("@refund-done REFUNDNO") }; return .refundDone(words[1])
        case "maps":
            guard words.count == 2, ["amap", "tencent"].contains(words[1]) else { throw fail("@maps amap|tencent") };
            return .maps(provider: words[1])
        case "geocode", "geocode-vague":
            let parts = words.count >= 3 ? words[1].split(separator: ",").compactMap { Double($0) } : []
            guard parts.count == 2 else { throw fail("@\(words[0]) LAT,LNG ADDRESS") }
            return .geocode(
                address: words.dropFirst(2).joined(separator: " "), latitude: parts[0], longitude: parts[1],
                precise: words[0] == "geocode")
        case "menu-cart":
            guard words.count >= 3 else { throw fail("@menu-cart MERCHANT ITEM=QTY…") }
            return .menuCart(merchantID: words[1], fields: Array(words.dropFirst(2)))
        case "menu-cart-again": return .menuCartAgain
        case "eta-refresh": return .etaRefresh
        case "worker": return .runETAJobs
        case "staff":
            guard words.count >= 3, let id = Int64(words[2].trimmingCharacters(in: CharacterSet(charactersIn: "#")))
            else {
                throw fail("@staff dispatch|deliver|cancel ORDER [reason]")
            }
            return .staff(
                command: words[1], orderID: id,
                reason: words.count > 3 ? words.dropFirst(3).joined(separator: " ") : nil)
        case "order-fee":
            guard words.count == 2, let id = Int64(words[1].trimmingCharacters(in: CharacterSet(charactersIn: "#")))
            else { throw fail("@order-fee ID") }
            return .orderMoney(id: id)
        case "order":
            guard words.count == 3, let id = Int64(words[1].trimmingCharacters(in: CharacterSet(charactersIn: "#")))
            else { throw fail("@order ID STATUS") }
            return .expectOrder(id: id, status: words[2])
        default: throw fail("unknown directive @\(words.first ?? "")")
        }
    }

    /// Every transcript under `conversations/`, sorted.
    static func all(root: String) -> [String] {
        let base = (root as NSString).appendingPathComponent("conversations")
        let files =
            FileManager.default.enumerator(atPath: base)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".chat") }
            ?? []
        return files.sorted()
    }
}
