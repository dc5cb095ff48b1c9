import DropMateApp
import Foundation

/// The token, AppID and EncodingAESKey a WeChat-side tool signs with: flags first, then the
/// environment the server reads (`WECHAT_TOKEN`, …), then the data directory's dev secrets.
struct ChatCredentials: Sendable {
    var token: String
    var appID: String
    /// nil: only plaintext mode is possible.
    var encodingAESKey: String?

    /// Why no usable credentials were found; printed as is, never with a secret in it.
    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    /// Resolves each value independently: flag, environment variable, `dev-secrets.json`.
    static func resolve(
        token: String?, appID: String?, aesKey: String?, dataDirectory: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(Missing) -> ChatCredentials {
        let dev = DevSecrets.load(in: dataDirectory)
        guard let token = token ?? environment["WECHAT_TOKEN"] ?? dev?.token else {
            throw Missing(
                description: """
                    no WeChat token: pass --token, set WECHAT_TOKEN, or run `dropmate serve` once so that \
                    \(DevSecrets.path(in: dataDirectory)) exists (use --data-dir if the server uses another one)
                    """)
        }
        let key = aesKey ?? environment["WECHAT_ENCODING_AES_KEY"] ?? dev?.encodingAESKey
        return ChatCredentials(
            token: token,
            appID: appID ?? environment["WECHAT_APP_ID"] ?? DevSecrets.appID,
            encodingAESKey: key?.isEmpty == true ? nil : key
        )
    }
}
