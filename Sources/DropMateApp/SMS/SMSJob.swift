import DropMateCore
import Foundation
import Logging

/// The `sms` job's payload: one text message to one phone.
public struct SMSJob: JobPayload, Hashable {
    public static let kind = "sms"
    public static let payloadHint: String? = #"{"phone": "+8613800138000", "text": "…"}"#
    /// E.164, e.g. `+8613800138000`.
    public var phone: String
    public var text: String

    public init(phone: String, text: String) {
        self.phone = phone
        self.text = text
    }

    private enum CodingKeys: String, CodingKey { case phone, text }

    /// Decodes a queued job's payload, refusing a phone that is not E.164 (retrying could not mend it).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        phone = try container.decode(String.self, forKey: .phone)
        text = try container.decode(String.self, forKey: .text)
        guard phone.first == "+", phone.dropFirst().allSatisfy(\.isNumber), (8...16).contains(phone.count) else {
            throw SMSError(provider: "job", reason: "the phone is not an E.164 number")
        }
    }

    /// One phone's texts go out in the order queued.
    public var lane: String? { phone }

    func job(key: String, now: Int64) throws -> NewJob {
        try newJob(key: key, runAt: now)
    }
}

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
    static func load(_ env: [String: String], problem: (String, String) -> Void) -> SMSSettings {
        func value(_ name: String) -> String? { env[name].flatMap { $0.isEmpty ? nil : $0 } }
        let name = value("SMS_PROVIDER") ?? "log"
        let provider = Provider(rawValue: name.lowercased())
        if provider == nil { problem("SMS_PROVIDER", "must be log, tencent or twilio") }
        let settings = SMSSettings(provider: provider ?? .log, id: value("SMS_PROVIDER_ID"), key: value("SMS_PROVIDER_KEY"), sender: value("SMS_SENDER"),
                                   signName: value("SMS_SIGN_NAME"), templateID: value("SMS_TEMPLATE_ID"), region: value("SMS_REGION") ?? "ap-guangzhou",
                                   baseURL: value("SMS_API_BASE_URL"))
        var required: [String] = []
        switch settings.provider {
        case .log: break
        case .tencent: required = ["SMS_PROVIDER_ID", "SMS_PROVIDER_KEY", "SMS_SENDER", "SMS_SIGN_NAME", "SMS_TEMPLATE_ID"]
        case .twilio: required = ["SMS_PROVIDER_ID", "SMS_PROVIDER_KEY", "SMS_SENDER"]
        }
        for variable in required where value(variable) == nil { problem(variable, "is required for SMS_PROVIDER=\(settings.provider.rawValue)") }
        if let url = settings.baseURL, URL(string: url)?.scheme.map({ ["http", "https"].contains($0) }) != true { problem("SMS_API_BASE_URL", "must be an http(s) URL") }
        return settings
    }

    /// The configured provider, rate limited per recipient.
    func makeProvider(clock: @escaping @Sendable () -> Int64, telemetry: Telemetry = .disabled, logger: Logging.Logger) -> any SMSProvider {
        let provider: any SMSProvider
        switch self.provider {
        case .log:
            provider = LogSMS(logger: logger)
        case .tencent:
            var tencent = TencentSMS(baseURL: baseURL ?? "https://sms.tencentcloudapi.com", secretID: id ?? "", secretKey: key ?? "", appID: sender ?? "",
                                     signName: signName ?? "", templateID: templateID ?? "", region: region, clock: clock)
            tencent.telemetry = telemetry
            provider = tencent
        case .twilio:
            var twilio = TwilioSMS(baseURL: baseURL ?? "https://api.twilio.com", accountSID: id ?? "", authToken: key ?? "", from: sender ?? "")
            twilio.telemetry = telemetry
            provider = twilio
        }
        return RateLimitedSMS(provider, clock: clock, providerName: self.provider.rawValue, metrics: telemetry.metrics)
    }
}
