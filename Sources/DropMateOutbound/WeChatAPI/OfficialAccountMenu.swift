import DropMateCore

/// The Official Account's menu: every button is a click whose key the conversation understands
/// (`ClickKey`), so tapping it is the same as typing the words.
public enum OfficialAccountMenu {
    /// The `/cgi-bin/menu/create` body.
    public static var definition: JSONBody {
        func click(_ name: JSONBody, _ key: ClickKey) -> JSONBody {
            ["type": "click", "name": name, "key": .string(key.rawValue)]
        }
        return [
            "button": [
                ["name": "点餐", "sub_button": [click("菜单", .menu), click("今日特价", .featured)]],
                click("我的订单", .myOrders),
                ["name": "更多", "sub_button": [click("留言板", .board), click("帮助", .help)]],
            ]
        ]
    }

    /// Installs the menu (it replaces the account's current one).
    public static func install(tokens: AccessTokens) async throws {
        let answer = try await tokens.post("/cgi-bin/menu/create", json: definition)
        guard answer.code == 0 else { throw WeChatAPIError.refused(code: answer.code, message: answer.errmsg ?? "") }
    }
}
