import AsyncHTTPClient
import DropMateTelemetry
import Foundation
import Logging

/// The SMS settings: which provider, and its account.
public struct SMSSettings: Sendable {
    public enum Provider: String, Sendable { case log, tencent, twilio }
    public var provider: Provider
    public var id: String?
    public var key: String?
    public var sender: String?
    public var signName: String?
    public var templateID: String?
    public var region: String
    public var baseURL: String?

    /// Reads `SMS_*`, adding every problem to `problem`.
    package static func load(_ env: [String: String], problem: (String, String) -> Void) -> SMSSettings {
        func value(_ name: String) -> String? { env[name].flatMap { $0.isEmpty ? nil : $0 } }
        let name = value("SMS_PROVIDER") ?? "log"
        let provider = Provider(rawValue: name.lowercased())
        if provider == nil { problem("SMS_PROVIDER", "must be log, tencent or twilio") }
        let settings = SMSSettings(
            provider: provider ?? .log, id: value("SMS_PROVIDER_ID"), key: value("SMS_PROVIDER_KEY"),
            sender: value("SMS_SENDER"),
            signName: value("SMS_SIGN_NAME"), templateID: value("SMS_TEMPLATE_ID"),
            region: value("SMS_REGION") ?? "ap-guangzhou",
            baseURL: value("SMS_API_BASE_URL"))
        var required: [String] = []
        switch settings.provider {
        case .log: break
        case .tencent:
            required = ["SMS_PROVIDER_ID", "SMS_PROVIDER_KEY", "SMS_SENDER", "SMS_SIGN_NAME", "SMS_TEMPLATE_ID"]
        case .twilio: required = ["SMS_PROVIDER_ID", "SMS_PROVIDER_KEY", "SMS_SENDER"]
        }
        for variable in required where value(variable) == nil {
            problem(variable, "is required for SMS_PROVIDER=\(settings.provider.rawValue)")
        }
        if let url = settings.baseURL, URL(string: url)?.scheme.map({ ["http", "https"].contains($0) }) != true {
            problem("SMS_API_BASE_URL", "must be an http(s) URL")
        }
        return settings
    }

    /// The configured provider, rate limited per recipient.
    package func makeProvider(
        http: HTTPClient, clock: @escaping @Sendable () -> Int64, telemetry: Telemetry = .disabled,
        logger: Logging.Logger
    ) -> any SMSProvider {
        let provider: any SMSProvider
        switch self.provider {
        case .log:
            provider = LogSMS(logger: logger)
        case .tencent:
            var tencent = TencentSMS(
                http: http, baseURL: baseURL ?? "https://sms.tencentcloudapi.com", secretID: id ?? "",
                secretKey: key ?? "", appID: sender ?? "",
                signName: signName ?? "", templateID: templateID ?? "", region: region, clock: clock)
            tencent.telemetry = telemetry
            provider = tencent
        case .twilio:
            var twilio = TwilioSMS(
                http: http, baseURL: baseURL ?? "https://api.twilio.com", accountSID: id ?? "", authToken: key ?? "",
                from: sender ?? "")
            twilio.telemetry = telemetry
            provider = twilio
        }
        return RateLimitedSMS(provider, clock: clock, providerName: self.provider.rawValue, metrics: telemetry.metrics)
    }
}
