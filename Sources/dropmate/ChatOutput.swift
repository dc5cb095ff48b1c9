import DropMateWeChat
import Foundation

/// How `dropmate chat` shows things: replies after `<`, pushes after `[push]`, problems on stderr.
enum ChatOutput {
    /// Prints a passive reply as the customer would see it.
    static func show(_ outcome: ChatSession.Outcome) {
        switch outcome {
        case .acknowledged:
            say("  (acknowledged, no reply)")
        case .reply(let reply):
            switch reply.content {
            case .text(let text): say(prefixed(text, with: "< "))
            case .news(let article):
                say(news(title: article.title, description: article.description, url: article.url, prefix: "< "))
            }
        }
    }

    /// Prints one push from the dev outbox.
    static func show(_ push: ChatPush) {
        if let text = push.message.text {
            say(prefixed(text._0, with: "[push] "))
        } else if let article = push.message.news {
            say(news(title: article.title, description: article.description, url: article.url, prefix: "[push] "))
        } else {
            say("[push] (a message this client cannot show, id \(push.id))")
        }
    }

    static func news(title: String, description: String, url: String, prefix: String) -> String {
        var lines = ["【\(title)】"]
        if !description.isEmpty { lines.append(description) }
        if !url.isEmpty { lines.append("🔗 \(url)") }
        return prefixed(lines.joined(separator: "\n"), with: prefix)
    }

    /// Every line of `text` prefixed (continuation lines indented to match).
    static func prefixed(_ text: String, with prefix: String) -> String {
        let indent = String(repeating: " ", count: prefix.count)
        return text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            .map { ($0.offset == 0 ? prefix : indent) + $0.element }
            .joined(separator: "\n")
    }

    /// A line on stdout, flushed so piped transcripts interleave correctly.
    static func say(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// A prompt (no newline).
    static func prompt(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// A problem on stderr.
    static func warn(_ text: String) {
        FileHandle.standardError.write(Data("dropmate chat: \(text)\n".utf8))
    }
}
