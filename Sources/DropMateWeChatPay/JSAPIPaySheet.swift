import Foundation

/// The parameters a page hands to `WeixinJSBridge.invoke('getBrandWCPayRequest', …)` so the customer's WeChat
/// shows the pay sheet: `paySign` is the merchant's RSA-SHA256 over appId, timeStamp, nonceStr and package, one per
/// line. Field names are WeChat's, so the value encodes straight to the JSON the bridge expects.
public struct JSAPIPaySheet: Sendable, Equatable, Codable {
    public var appId: String
    public var timeStamp: String
    public var nonceStr: String
    public var package: String
    public var signType: String
    public var paySign: String

    public static func message(appID: String, timeStamp: String, nonceStr: String, package: String) -> String {
        "\(appID)\n\(timeStamp)\n\(nonceStr)\n\(package)\n"
    }

    /// Signs a sheet for `prepayID` at `timestamp` with `nonce`.
    public init(appID: String, prepayID: String, timestamp: Int64, nonce: String, merchant: MerchantKey) {
        appId = appID
        timeStamp = String(timestamp)
        nonceStr = nonce
        package = "prepay_id=\(prepayID)"
        signType = "RSA"
        paySign = merchant.sign(Self.message(appID: appID, timeStamp: timeStamp, nonceStr: nonce, package: package))
    }
}
