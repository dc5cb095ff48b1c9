import DropMateCore
import Foundation

/// Template messages for order events (`WECHAT_TEMPLATES`): per event, the template id and which order value
/// each of its fields shows, e.g.
/// `{"dispatched": {"id": "TPL_ID", "fields": {"character_string1": "order_id", "thing2": "items", "time3": "eta"}}}`.
/// Events: confirmed, dispatched, eta_changed, delivered, cancelled. Values: order_id, status, eta, total,
/// merchant, items, reason.
public struct OrderTemplates: Sendable {
    public struct Template: Sendable, Equatable {
        public var id: String
        /// Template field → the order value it shows.
        public var fields: [String: OrderEventNotice.Value]
    }

    public var templates: [OrderEventNotice.Event: Template]

    public static let none = OrderTemplates(templates: [:])

    /// Parses `WECHAT_TEMPLATES`; the error names what is wrong.
    public init(json: String) throws(ConfigurationError) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
            throw ConfigurationError(
                message: #"must be a JSON object like {"dispatched": {"id": "…", "fields": {"thing1": "items"}}}"#)
        }
        var templates: [OrderEventNotice.Event: Template] = [:]
        for (name, value) in object {
            guard let event = OrderEventNotice.Event(rawValue: name) else {
                throw ConfigurationError(
                    message:
                        "unknown event '\(name)' (events: \(OrderEventNotice.Event.allCases.map(\.rawValue).joined(separator: ", ")))"
                )
            }
            guard let entry = value as? [String: Any], let id = entry["id"] as? String, !id.isEmpty,
                let fields = entry["fields"] as? [String: String], !fields.isEmpty
            else {
                throw ConfigurationError(message: "'\(name)' needs an \"id\" and a non-empty \"fields\" object")
            }
            var mapped: [String: OrderEventNotice.Value] = [:]
            for (field, valueName) in fields {
                guard let value = OrderEventNotice.Value(rawValue: valueName) else {
                    throw ConfigurationError(
                        message:
                            "'\(name)' field \(field): unknown value '\(valueName)' (values: \(OrderEventNotice.Value.allCases.map(\.rawValue).joined(separator: ", ")))"
                    )
                }
                mapped[field] = value
            }
            templates[event] = Template(id: id, fields: mapped)
        }
        self.templates = templates
    }

    init(templates: [OrderEventNotice.Event: Template]) { self.templates = templates }

    public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// The `/cgi-bin/message/template/send` body for `notice`, if its event has a template.
    func message(for notice: OrderEventNotice, to openID: String) -> JSONBody? {
        guard let template = templates[notice.event] else { return nil }
        let data = template.fields.sorted { $0.key < $1.key }.map { field, value in
            JSONBody.Member(
                key: field, value: ["value": .string(Self.fit(notice.values[value.rawValue] ?? "", field: field))])
        }
        return ["touser": .string(openID), "template_id": .string(template.id), "data": .object(data)]
    }

    /// WeChat's length limits by field type (`thing` 20 characters, `character_string` 32, `phrase` 5).
    static func fit(_ text: String, field: String) -> String {
        let limit =
            field.hasPrefix("thing")
            ? 20 : field.hasPrefix("character_string") ? 32 : field.hasPrefix("phrase") ? 5 : 20
        return text.count > limit ? String(text.prefix(limit - 1)) + "…" : text
    }
}
