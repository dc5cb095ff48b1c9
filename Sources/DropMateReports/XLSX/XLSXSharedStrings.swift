import Foundation

/// The workbook's shared-string table, for text that repeats row after row (statuses, merchants,
/// couriers, districts): each distinct text is written once and cells refer to it by index,
/// which keeps the Orders sheet small. Bounded: once `capacity` distinct texts are held, further
/// new texts are written inline instead, so a day of unique values cannot grow memory without limit.
final class XLSXSharedStrings {
    private var indexByText: [String: Int] = [:]
    private var texts: [String] = []
    private let capacity: Int
    /// How many cells refer to the table (the `count` attribute of `sst`).
    private var references = 0

    init(capacity: Int = 50_000) {
        self.capacity = capacity
    }

    var isEmpty: Bool { texts.isEmpty }

    /// The index of `text` in the table, adding it if there is room; `nil` when the table is full.
    func index(of text: String) -> Int? {
        if let index = indexByText[text] {
            references += 1
            return index
        }
        guard texts.count < capacity else { return nil }
        indexByText[text] = texts.count
        texts.append(text)
        references += 1
        return texts.count - 1
    }

    /// Writes `xl/sharedStrings.xml` to `url`.
    func write(to url: URL) throws {
        let sink = try ByteSink(url: url)
        sink.write(XLSXPackageParts.header)
        sink.write(
            #"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="\#(references)" uniqueCount="\#(texts.count)">"#
        )
        for text in texts {
            sink.write(XLSXSheetWriter.needsPreservedSpace(text) ? #"<si><t xml:space="preserve">"# : "<si><t>")
            sink.writeXMLEscaped(text)
            sink.write("</t></si>")
        }
        sink.write("</sst>")
        try sink.close()
    }
}
