import DropMateOutbound
import DropMateWeChat
import Foundation

/// The Official Account: webhook credentials and message mode, the server API's secret and address, and the
/// templates for pushes (`WECHAT_*`).
struct WeChatSettings {
    var token = ""
    var appID = DevSecrets.appID
    var accountID = "gh_dropmate"
    /// nil: plaintext mode only.
    var encodingAESKey: String?
    var messageMode: WeChatWebhook.MessageMode = .plaintext
    var timestampWindow: Int64 = 300
    /// nil: dev mode (pushes are logged, not sent).
    var appSecret: String?
    var apiBaseURL = "https://api.weixin.qq.com"
    var templateFallback: (id: String, field: String)?
    var orderTemplates = OrderTemplates.none
    /// The token and key came from the data directory's generated secrets (`WECHAT_TOKEN` unset).
    var usesGeneratedSecrets = false

    static func read(_ env: EnvironmentReader, dev: DevSecrets?) -> WeChatSettings {
        var settings = WeChatSettings()
        settings.usesGeneratedSecrets = env.raw("WECHAT_TOKEN") == nil
        settings.timestampWindow = env.int64(
            "WECHAT_TIMESTAMP_WINDOW", default: 300, in: 30...Int64.max,
            "must be a whole number of seconds, at least 30")
        settings.token = env.raw("WECHAT_TOKEN") ?? dev?.token ?? ""
        if settings.token.count < 3 || settings.token.count > 32
            || !settings.token.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) })
        {
            env.problem("WECHAT_TOKEN", "must be 3 to 32 letters or digits (as in the Official Account settings)")
        }
        settings.appID = env.raw("WECHAT_APP_ID") ?? DevSecrets.appID
        if settings.appID.isEmpty || settings.appID.count > 64 {
            env.problem("WECHAT_APP_ID", "must be the Official Account's AppID (wx…)")
        }
        settings.accountID = env.raw("WECHAT_ACCOUNT_ID") ?? settings.accountID
        settings.readEncryption(env, dev: dev)
        settings.apiBaseURL = env.string("WECHAT_API_BASE_URL") ?? settings.apiBaseURL
        if !EnvironmentReader.isHTTPURL(settings.apiBaseURL) {
            env.problem("WECHAT_API_BASE_URL", "must be an http(s) URL")
        }
        settings.appSecret = env.string("WECHAT_APP_SECRET")
        if let secret = settings.appSecret, secret.count < 16 || secret.count > 64 {
            env.problem("WECHAT_APP_SECRET", "must be the Official Account's AppSecret (32 characters)")
        }
        if let id = env.string("WECHAT_TEMPLATE_FALLBACK_ID") {
            settings.templateFallback = (id, env.raw("WECHAT_TEMPLATE_FALLBACK_FIELD") ?? "thing1")
        }
        if let json = env.string("WECHAT_TEMPLATES") {
            do { settings.orderTemplates = try OrderTemplates(json: json) } catch {
                env.problem("WECHAT_TEMPLATES", error.description)
            }
        }
        return settings
    }

    /// `WECHAT_ENCODING_AES_KEY` (the generated one when nothing is configured) and `WECHAT_MESSAGE_MODE` (compatible
    /// by default with a key, else plaintext).
    private mutating func readEncryption(_ env: EnvironmentReader, dev: DevSecrets?) {
        var key = env.raw("WECHAT_ENCODING_AES_KEY")
        if key == nil, env.raw("WECHAT_TOKEN") == nil { key = dev?.encodingAESKey }
        if let found = key, found.isEmpty { key = nil }
        if let found = key, found.count != 43 || Data(base64Encoded: found + "=") == nil {
            env.problem("WECHAT_ENCODING_AES_KEY", "must be the 43-character EncodingAESKey")
        }
        encodingAESKey = key
        messageMode = key == nil ? .plaintext : .compatible
        if let text = env.string("WECHAT_MESSAGE_MODE") {
            if let mode = WeChatWebhook.MessageMode(rawValue: text.lowercased()) {
                messageMode = mode
            } else {
                env.problem("WECHAT_MESSAGE_MODE", "must be plaintext, compatible or safe")
            }
            if messageMode != .plaintext, key == nil {
                env.problem("WECHAT_MESSAGE_MODE", "\(messageMode.rawValue) mode needs WECHAT_ENCODING_AES_KEY")
            }
        }
    }
}
