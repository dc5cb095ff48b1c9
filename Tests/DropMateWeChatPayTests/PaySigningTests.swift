import DropMateWeChatPay
import Foundation
import Testing

@Suite struct PaySigningTests {
    @Test func requestMessageHasFiveLinesEachEndingInNewline() {
        let message = PayRequestSigner.message(
            method: "GET", pathAndQuery: "/v3/pay/transactions/out-trade-no/DM1?mchid=1900000109",
            timestamp: 1_733_400_000, nonce: "N1", body: "")
        #expect(message == "GET\n/v3/pay/transactions/out-trade-no/DM1?mchid=1900000109\n1733400000\nN1\n\n")
    }

    @Test func requestSignatureMatchesPythonCryptography() {
        // PKCS#1 v1.5 is deterministic: the same key and message give the same bytes in any correct implementation.
        #expect(TestKeys.merchant.sign(TestKeys.vectors.request_message) == TestKeys.vectors.request_signature)
    }

    @Test func authorizationHeaderCarriesTheFiveFieldsAndParsesBack() throws {
        let signer = PayRequestSigner(merchant: TestKeys.merchant)
        let header = signer.authorization(
            method: "POST", pathAndQuery: "/v3/pay/transactions/jsapi", body: #"{"amount":{"total":2800}}"#,
            timestamp: 1_733_400_000, nonce: "NONCE0123456789ABCDEFGHIJKLMNOPQ")
        #expect(
            header.hasPrefix(
                #"WECHATPAY2-SHA256-RSA2048 mchid="1900000109",nonce_str="NONCE0123456789ABCDEFGHIJKLMNOPQ",signature=""#
            ))
        #expect(header.hasSuffix(#"",timestamp="1733400000",serial_no="5157F09EFDC096DE15EBE81A47057A7232F1B8E1""#))
        let parsed = try #require(PayAuthorization(header: header))
        #expect(parsed.signature == TestKeys.vectors.request_signature)
        #expect(parsed.mchID == "1900000109" && parsed.timestamp == 1_733_400_000 && parsed.serial == TestKeys.serial)
    }

    @Test func authorizationParserRefusesOtherSchemesAndMissingFields() {
        #expect(PayAuthorization(header: #"Bearer abc"#) == nil)
        #expect(
            PayAuthorization(header: #"WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="n",timestamp="1",serial_no="s""#)
                == nil)
        #expect(
            PayAuthorization(
                header:
                    #"WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="n",signature="x",timestamp="soon",serial_no="s""#)
                == nil)
    }

    @Test func paySheetSignsFourLinesAndMatchesPythonCryptography() {
        let sheet = JSAPIPaySheet(
            appID: "wxfake00000000001", prepayID: "wx201410272009395522657a690389285100",
            timestamp: 1_733_400_000, nonce: "SHEETNONCE", merchant: TestKeys.merchant)
        #expect(
            JSAPIPaySheet.message(
                appID: sheet.appId, timeStamp: sheet.timeStamp, nonceStr: sheet.nonceStr, package: sheet.package)
                == TestKeys.vectors.sheet_message)
        #expect(sheet.package == "prepay_id=wx201410272009395522657a690389285100")
        #expect(sheet.signType == "RSA" && sheet.timeStamp == "1733400000")
        #expect(sheet.paySign == TestKeys.vectors.sheet_signature)
    }

    @Test func noncesAreThirtyTwoUppercaseLettersOrDigitsAndDiffer() {
        let first = PayNonce.make(), second = PayNonce.make()
        #expect(first.count == 32 && first.allSatisfy { $0.isASCII && ($0.isUppercase || $0.isNumber) })
        #expect(first != second)
    }

    @Test func keysOfTheWrongKindAreRefusedWithoutEchoingThem() {
        #expect(throws: WeChatPayError.self) {
            try MerchantKey(
                mchID: "1", certificateSerial: "S", privateKeyPEM: TestKeys.text("platform-test-public.pem"))
        }
        #expect(throws: WeChatPayError.self) {
            try PlatformPublicKey(
                keyID: "PUB_KEY_ID_1", publicKeyPEM: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----")
        }
        #expect(throws: WeChatPayError.invalidKey("the API v3 key must be exactly 32 characters")) {
            try APIv3Key("short")
        }
    }
}
