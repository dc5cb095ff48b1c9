import Foundation

/// A JSON-shaped value whose maps keep their keys in the order written: the OpenAPI document's tree. Written as Swift
/// literals (`["type": "string", "maxLength": 40]`) and serialised as YAML or JSON, the same content either way.
indirect enum DocNode: Sendable, Hashable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case null
    case list([DocNode])
    case map([Member])

    struct Member: Sendable, Hashable {
        var key: String
        var value: DocNode
    }

    /// A `$ref` to a component (`ref("schemas", "Order")`).
    static func ref(_ section: String, _ name: String) -> DocNode {
        ["$ref": .string("#/components/\(section)/\(name)")]
    }

    /// The value under `key` of a map (nil for anything else or a missing key).
    subscript(key: String) -> DocNode? {
        guard case .map(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// A map with `key` set to `value`: replaced in place if present, appended otherwise.
    func setting(_ key: String, _ value: DocNode) -> DocNode {
        guard case .map(var members) = self else { return self }
        if let index = members.firstIndex(where: { $0.key == key }) {
            members[index].value = value
        } else {
            members.append(Member(key: key, value: value))
        }
        return .map(members)
    }
}

extension DocNode: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    init(stringLiteral value: String) { self = .string(value) }
    init(integerLiteral value: Int) { self = .int(value) }
    init(floatLiteral value: Double) { self = .double(value) }
    init(booleanLiteral value: Bool) { self = .bool(value) }
    init(arrayLiteral elements: DocNode...) { self = .list(elements) }
    init(dictionaryLiteral elements: (String, DocNode)...) {
        self = .map(elements.map { Member(key: $0.0, value: $0.1) })
    }
    init(nilLiteral: ()) { self = .null }
}

extension DocNode {
    /// Block-style YAML (1.2; every string that could be read as something else is double-quoted, JSON style).
    var yaml: String {
        var out = ""
        writeYAML(into: &out, indent: 0, inline: false)
        return out
    }

    /// Pretty-printed JSON with two-space indentation.
    var json: String {
        var out = ""
        writeJSON(into: &out, indent: 0)
        out += "\n"
        return out
    }

    private var isCollectionWithContent: Bool {
        switch self {
        case .list(let items): !items.isEmpty
        case .map(let members): !members.isEmpty
        default: false
        }
    }

    /// Writes the node; `inline`: the node follows a `key:` or `- ` already on the line.
    private func writeYAML(into out: inout String, indent: Int, inline: Bool) {
        let pad = String(repeating: " ", count: indent)
        switch self {
        case .map(let members) where !members.isEmpty:
            for (index, member) in members.enumerated() {
                if !(inline && index == 0) { out += pad }
                out += Self.yamlScalar(member.key) + ":"
                if member.value.isCollectionWithContent {
                    if case .list = member.value {
                        out += "\n"
                        member.value.writeYAML(into: &out, indent: indent, inline: false)
                    } else {
                        out += "\n"
                        member.value.writeYAML(into: &out, indent: indent + 2, inline: false)
                    }
                } else if case .string(let text) = member.value, let block = Self.literalBlock(text, indent: indent + 2)
                {
                    out += block
                } else {
                    out += " " + member.value.yamlLeaf + "\n"
                }
            }
        case .list(let items) where !items.isEmpty:
            for (index, item) in items.enumerated() {
                if !(inline && index == 0) { out += pad }
                out += "- "
                if item.isCollectionWithContent {
                    item.writeYAML(into: &out, indent: indent + 2, inline: true)
                } else {
                    out += item.yamlLeaf + "\n"
                }
            }
        default:
            out += (inline ? "" : pad) + yamlLeaf + "\n"
        }
    }

    /// A multi-line string as a literal block (` |` or ` |-`, then its lines indented), when it reads back exactly:
    /// printable text, no line starting or ending with a space, no blank line at its end.
    private static func literalBlock(_ text: String, indent: Int) -> String? {
        guard text.contains("\n"), !text.hasSuffix("\n\n") else { return nil }
        let body = text.hasSuffix("\n") ? String(text.dropLast()) : text
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
        guard let first = lines.first, !first.isEmpty, !first.hasPrefix(" "),
            lines.allSatisfy({
                !$0.hasSuffix(" ")
                    && $0.unicodeScalars.allSatisfy {
                        $0.value >= 0x20 && $0.value != 0x7F && !(0x80...0x9F).contains($0.value) && $0 != "\u{FEFF}"
                            && $0 != "\u{2028}" && $0 != "\u{2029}"
                    }
            })
        else { return nil }
        let pad = String(repeating: " ", count: indent)
        return (text.hasSuffix("\n") ? " |\n" : " |-\n") + lines.map { $0.isEmpty ? "\n" : pad + $0 + "\n" }.joined()
    }

    private var yamlLeaf: String {
        switch self {
        case .string(let text): Self.yamlScalar(text)
        case .map: "{}"
        case .list: "[]"
        default: jsonLeaf
        }
    }

    /// A plain scalar when nothing could misread it, otherwise a JSON-style double-quoted one.
    private static func yamlScalar(_ text: String) -> String {
        let reserved: Set<String> = ["true", "false", "null", "yes", "no", "on", "off", "y", "n", "~", ""]
        let plain = text.unicodeScalars.allSatisfy {
            CharacterSet.alphanumerics.contains($0) && $0.isASCII || "_-./".unicodeScalars.contains($0)
        }
        if plain, let first = text.unicodeScalars.first, CharacterSet.letters.contains(first) || first == "/",
            !reserved.contains(text.lowercased())
        {
            return text
        }
        return jsonString(text)
    }

    private var jsonLeaf: String {
        switch self {
        case .string(let text): Self.jsonString(text)
        case .int(let value): String(value)
        case .double(let value): value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
        case .bool(let value): value ? "true" : "false"
        case .null: "null"
        case .list: "[]"
        case .map: "{}"
        }
    }

    private func writeJSON(into out: inout String, indent: Int) {
        let pad = String(repeating: " ", count: indent + 2)
        switch self {
        case .map(let members) where !members.isEmpty:
            out += "{\n"
            for (index, member) in members.enumerated() {
                out += pad + Self.jsonString(member.key) + ": "
                member.value.writeJSON(into: &out, indent: indent + 2)
                out += index == members.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: " ", count: indent) + "}"
        case .list(let items) where !items.isEmpty:
            out += "[\n"
            for (index, item) in items.enumerated() {
                out += pad
                item.writeJSON(into: &out, indent: indent + 2)
                out += index == items.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: " ", count: indent) + "]"
        default:
            out += jsonLeaf
        }
    }

    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _
            where scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value)
                || scalar.value == 0x2028 || scalar.value == 0x2029:
                out += String(format: "\\u%04X", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
