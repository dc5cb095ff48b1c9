import Foundation

/// One line typed into `dropmate chat`, parsed: a message to send or a client command.
enum ChatInput: Equatable {
    /// A text message (the line as typed).
    case text(String)
    /// `/location LAT,LNG LABEL`: a location message.
    case location(latitude: Double, longitude: Double, label: String)
    /// `/subscribe`: the customer follows the account.
    case subscribe
    /// `/click KEY`: a menu CLICK event.
    case click(key: String)
    /// `/as OPENID`: switch to another customer.
    case switchUser(String)
    /// An empty line: just check for pushes.
    case poll
    /// `/help`.
    case help
    /// `/quit` (or `/exit`).
    case quit
    /// A malformed command, with the reason to show.
    case invalid(String)

    /// Parses `line`; anything not starting with `/` is a text message (`//x` sends `/x`).
    init(_ line: String) {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { self = .poll; return }
        guard trimmed.hasPrefix("/") else { self = .text(line); return }
        if trimmed.hasPrefix("//") { self = .text(String(trimmed.dropFirst())); return }
        let parts = trimmed.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        let argument = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
        switch parts[0].lowercased() {
        case "/location", "/loc":
            self = Self.location(argument)
        case "/subscribe":
            self = .subscribe
        case "/click":
            self = argument.isEmpty ? .invalid("usage: /click KEY") : .click(key: argument)
        case "/as":
            self = argument.isEmpty || argument.contains(" ") ? .invalid("usage: /as OPENID") : .switchUser(argument)
        case "/help", "/?":
            self = .help
        case "/quit", "/exit", "/q":
            self = .quit
        default:
            self = .invalid("unknown command \(parts[0]); type /help")
        }
    }

    private static func location(_ argument: String) -> ChatInput {
        let usage = ChatInput.invalid("usage: /location LAT,LNG LABEL   (e.g. /location 31.2304,121.4737 人民广场)")
        let parts = argument.split(separator: " ", maxSplits: 1)
        guard let coordinates = parts.first else { return usage }
        let numbers = coordinates.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard numbers.count == 2, let latitude = numbers[0], let longitude = numbers[1],
            (-90...90).contains(latitude), (-180...180).contains(longitude)
        else { return usage }
        let label = parts.count > 1 ? String(parts[1]) : ""
        return .location(latitude: latitude, longitude: longitude, label: label)
    }

    /// The `/help` text.
    static let helpText = """
        Type a message and press Enter to send it as the current customer. Commands:
          /location LAT,LNG LABEL   send a location (e.g. /location 31.2304,121.4737 人民广场)
          /subscribe                follow the account (subscribe event)
          /click KEY                tap a menu button (CLICK event)
          /as OPENID                become another customer
          (empty line)              check for pushes
          /help                     this text
          /quit                     leave (so does Ctrl-D)
        Replies are shown after "<", pushes (customer-service or template messages) after "[push]".
        """
}
