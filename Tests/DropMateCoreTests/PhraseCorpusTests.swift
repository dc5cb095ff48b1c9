import Foundation
import Testing

@testable import DropMateCore

/// Plays `Fixtures/phrase-corpus.txt` (customer messages as people type them, each with what it must mean) through
/// `IntentParser.parse`. A message the parser reads differently is "not understood" when the flow would say so back
/// (unknown pieces, a did-you-mean, no order at all); it is a **silently wrong order** when the flow would act on it
/// without asking: an order or edit that differs from the expected one, or a non-order read as one. No wrong order is
/// allowed, and at least 97 % must be understood.
@Suite struct PhraseCorpusTests {
    struct Phrase: Sendable, CustomStringConvertible {
        var line: Int
        var text: String
        var expected: String
        var description: String { "line \(line): \(text)" }
    }

    static let corpusURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Fixtures/phrase-corpus.txt")

    static func phrases() throws -> [Phrase] {
        let text = try String(contentsOf: corpusURL, encoding: .utf8)
        var phrases: [Phrase] = []
        for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, !trimmed.hasPrefix("# ") else { continue }
            guard let arrow = trimmed.range(of: " => ", options: .backwards) else {
                Issue.record("line \(offset + 1) has no ' => ': \(trimmed)")
                continue
            }
            phrases.append(
                Phrase(
                    line: offset + 1, text: String(trimmed[..<arrow.lowerBound]),
                    expected: String(trimmed[arrow.upperBound...])))
        }
        return phrases
    }

    /// The corpus's notation for what the parser read.
    static func render(_ intent: Intent) -> String {
        switch intent {
        case .order(let order):
            var parts = order.lines.map { line in
                "\(line.item.id)×\(line.quantity)" + (line.note.map { "[\($0)]" } ?? "")
                    + (line.match == .exact ? "" : "~")
            }
            parts += order.suggestions.map { "ask:\($0.item.id)×\($0.quantity)" + ($0.note.map { "[\($0)]" } ?? "") }
            parts += order.unknown.map { "?\($0)" }
            if let note = order.note { parts.append("note:\(note)") }
            if !order.edits.isEmpty { parts.append("edit: " + order.edits.map(render).joined(separator: " ")) }
            if let address = order.address { parts.append("@\(address)") }
            if let phone = order.phone { parts.append("#\(phone.digits)") }
            return parts.isEmpty ? "empty" : parts.joined(separator: "; ")
        case .edit(let edits):
            return "edit: " + edits.map(render).joined(separator: " ")
        case .contact(let address, let phone):
            return [address.map { "@\($0)" }, phone.map { "#\($0.digits)" }].compactMap { $0 }.joined(separator: " ")
        case .phone(let phone):
            return "#\(phone.digits)"
        default:
            return "-"
        }
    }

    static func render(_ edit: OrderEdit) -> String {
        switch edit {
        case .setQuantity(let item, let quantity): "set:\(item?.id ?? "*")=\(quantity)"
        case .remove(let item): "remove:\(item.id)"
        case .reduce(let item, let count): "less:\(item.id)=\(count)"
        case .addMore(let quantity): "more:\(quantity)"
        case .note(let note, let item): "note:\(note)" + (item.map { "@\($0.id)" } ?? "")
        case .address(let address): "address" + (address.map { "=\($0)" } ?? "?")
        case .phone(let phone): "phone" + (phone.map { "=\($0.digits)" } ?? "?")
        }
    }

    /// Whether the flow would act on `intent` without asking or saying anything back.
    static func actsSilently(_ intent: Intent) -> Bool {
        switch intent {
        case .order(let order): order.isClear && (!order.lines.isEmpty || !order.edits.isEmpty)
        case .edit, .contact, .phone: true
        default: false
        }
    }

    @Test func theCorpusIsUnderstoodAndNeverMakesASilentlyWrongOrder() throws {
        let parser = IntentParser(catalog: DemoCatalog.catalog)
        let phrases = try Self.phrases()
        #expect(phrases.count >= 300)
        var understood = 0
        var missed: [String] = []
        for phrase in phrases {
            let intent = parser.parse(phrase.text)
            let actual = Self.render(intent)
            if actual == phrase.expected {
                understood += 1
                continue
            }
            let expectedNothing = phrase.expected == "-"
            if Self.actsSilently(intent) || (expectedNothing && actual != "-") {
                Issue.record("silently wrong, \(phrase): expected \(phrase.expected), read \(actual)")
            } else {
                missed.append("\(phrase): expected \(phrase.expected), read \(actual)")
            }
        }
        let share = Double(understood) / Double(max(phrases.count, 1))
        print("phrase corpus: \(understood)/\(phrases.count) understood (\(String(format: "%.1f", share * 100)) %)")
        for miss in missed { print("  not understood: \(miss)") }
        #expect(share >= 0.97, "understood \(understood) of \(phrases.count)")
    }
}
