/// The root `<xml>` element of a WeChat message, flattened: each direct child's text by name.
public struct WeChatXMLDocument: Sendable, Equatable {
    /// Text of each direct child of `<xml>` (TEXT and CDATA only); the first wins on duplicates.
    public var fields: [String: String]
    /// Direct children that have element children of their own, e.g. `Articles` in a news reply.
    public var nested: [String: WeChatXMLElement]

    /// Builds a document by hand (tests, fakes).
    public init(fields: [String: String], nested: [String: WeChatXMLElement] = [:]) {
        self.fields = fields
        self.nested = nested
    }

    /// The text of the direct child called `name`, if present.
    public subscript(_ name: String) -> String? { fields[name] }
}

/// An element nested below the root, kept as a small tree.
public struct WeChatXMLElement: Sendable, Equatable {
    /// The element's local name.
    public var name: String
    /// The element's own TEXT and CDATA children, concatenated.
    public var text: String
    /// The element's child elements, in document order.
    public var children: [WeChatXMLElement]

    /// Builds an element by hand (tests, fakes).
    public init(name: String, text: String, children: [WeChatXMLElement] = []) {
        self.name = name
        self.text = text
        self.children = children
    }

    /// The text of the first child element called `name`, if present.
    public subscript(_ name: String) -> String? {
        children.first { $0.name == name }?.text
    }

    /// Child elements called `name`, in document order.
    public func children(named name: String) -> [WeChatXMLElement] {
        children.filter { $0.name == name }
    }
}
