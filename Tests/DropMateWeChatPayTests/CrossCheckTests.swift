import DropMateWeChatPay
import Foundation
import Testing

/// Python's `cryptography` (scripts/wechatpay-crosscheck.py) checks what our code signs and encrypts, fresh on each
/// run: random nonces, Chinese text, empty and query-carrying requests. Skipped (shown, not passed) without it;
/// `scripts/test` puts a Python that has it on the PATH.
@Suite struct CrossCheckTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let python: Bool = (try? run(["python3", "-c", "import cryptography"], input: nil).status) == 0

    static func run(_ arguments: [String], input: Data?) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stdout
        try process.run()
        if let input { stdin.fileHandleForWriting.write(input) }
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    @Test(.enabled(if: python, "python3 with cryptography (scripts/python-tools)"))
    func pythonVerifiesOurSignaturesAndDecryptsOurResources() throws {
        let signer = PayRequestSigner(merchant: TestKeys.merchant)
        let requests: [(String, String, String)] = [
            ("POST", "/v3/pay/transactions/jsapi", #"{"description":"牛肉面 ×2","amount":{"total":3600}}"#),
            ("GET", "/v3/pay/transactions/out-trade-no/DM1001?mchid=1900000109", ""),
            ("POST", "/v3/refund/domestic/refunds", #"{"out_refund_no":"DM1001R1","reason":"顾客取消"}"#),
        ]
        var authorizations: [[String: String]] = []
        for (method, path, body) in requests {
            let header = signer.authorization(
                method: method, pathAndQuery: path, body: body, timestamp: Int64(Date().timeIntervalSince1970),
                nonce: PayNonce.make())
            authorizations.append(["method": method, "path": path, "body": body, "header": header])
        }
        let sheet = JSAPIPaySheet(
            appID: "wx0123456789abcdef", prepayID: "wx\(PayNonce.make())", timestamp: 1_733_400_123,
            nonce: PayNonce.make(), merchant: TestKeys.merchant)
        let answerBody = #"{"prepay_id":"wx2026"}"#
        let nonce = PayNonce.make()
        let platformSigned = [
            "timestamp": "1733400000", "nonce": nonce, "body": answerBody,
            "signature": TestKeys.platformSigner.sign(
                PaySignatureVerifier.message(timestamp: "1733400000", nonce: nonce, body: answerBody)),
        ]
        let cipher = PayResourceCipher(key: try APIv3Key("0123456789abcdefghijABCDEFGHIJkl"))
        let plaintext =
            #"{"out_trade_no":"DM1002","trade_state":"SUCCESS","payer":{"openid":"o-测试"},"amount":{"total":1}}"#
        let gcmNonce = String(PayNonce.make().prefix(12))
        let resource = [
            "nonce": gcmNonce, "associated_data": "transaction", "plaintext": plaintext,
            "ciphertext": try cipher.encrypt(Data(plaintext.utf8), nonce: gcmNonce, associatedData: "transaction"),
        ]
        let cases: [String: Any] = [
            "authorizations": authorizations,
            "sheets": [
                [
                    "appId": sheet.appId, "timeStamp": sheet.timeStamp, "nonceStr": sheet.nonceStr,
                    "package": sheet.package, "signType": sheet.signType, "paySign": sheet.paySign,
                ]
            ],
            "platform_signed": [platformSigned],
            "resources": [resource],
        ]
        let script = Self.repository.appendingPathComponent("scripts/wechatpay-crosscheck.py").path
        let result = try Self.run(
            ["python3", script, "verify", TestKeys.fixtures.path],
            input: try JSONSerialization.data(withJSONObject: cases))
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("checked 6 items, 0 failures"))
    }
}
