import Testing

@testable import DropMateApp

/// A customer who floods the Official Account is asked to slow down; nobody else notices.
@Suite struct RateLimitTests {
    typealias Send = ExactlyOnceTests

    @Test func messagesOverTheLimitAreNotActedOnAndSaySo() async throws {
        let app = try await TestApp.make(extra: ["DROPMATE_RATE_LIMIT": "2"])
        let clock = app.clock
        try await app.live { client in
            let now = clock.now
            _ = try await Send.send(Send.message("菜单", id: "1", at: now), to: client, at: now, nonce: "1")
            _ = try await Send.send(Send.message("帮助", id: "2", at: now), to: client, at: now, nonce: "2")
            let third = Send.message("2 份牛肉面", id: "3", at: now)
            let limited = try await Send.send(third, to: client, at: now, nonce: "3")
            #expect(limited.contains("太快"), "\(limited)")
            #expect(
                try await Send.send(third, to: client, at: now, nonce: "4") == limited, "a retry gets the same answer")
            #expect(
                !(try await Send.send(
                    Send.message("菜单", id: "4", at: now, from: "o_b"), to: client, at: now, nonce: "5")).contains("太快"))
            clock.advance(60)
            let next = try await Send.send(
                Send.message("2 份牛肉面", id: "5", at: clock.now), to: client, at: clock.now, nonce: "6")
            #expect(next.contains("牛肉面 ×2"), "a new minute, a new allowance: \(next)")
        }
    }

    @Test func theLimitIsConfigurableAndZeroTurnsItOff() throws {
        let base = ["WECHAT_TOKEN": "abc", "JWT_SECRET": TestAccount.jwtSecret]
        #expect(try AppConfig.load(environment: base).rateLimit.messages == 60)
        #expect(try AppConfig.load(environment: base.merging(["DROPMATE_RATE_LIMIT": "0"]) { $1 }).rateLimit == .off)
        #expect(throws: AppConfig.Problems.self) {
            try AppConfig.load(environment: base.merging(["DROPMATE_RATE_LIMIT": "-1"]) { $1 })
        }
    }
}
