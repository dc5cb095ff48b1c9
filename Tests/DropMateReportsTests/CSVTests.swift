import Foundation
import Testing

@testable import DropMateReports

@Suite struct CSVTests {
    @Test func csvFilesStartWithABOMAndEndRecordsWithCRLF() throws {
        try withReport([order()]) { files in
            for (section, url) in files.csvFiles {
                let data = try Data(contentsOf: url)
                #expect(Array(data.prefix(3)) == [0xEF, 0xBB, 0xBF], "\(section)")
                let text = try csvText(url)
                #expect(text.hasSuffix("\r\n"), "\(section)")
                #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "\(section)")
            }
        }
    }

    @Test func fieldsWithCommasQuotesOrLineBreaksAreQuotedAndQuotesDoubled() throws {
        let note = "说 \"你好\", then\nring"
        try withReport([order(note: note)]) { files in
            let text = try csvText(try #require(files.csvFiles["Orders"]))
            #expect(text.contains(#","说 ""你好"", then"# + "\nring\"\r\n"))
        }
    }

    @Test func textThatLooksLikeAFormulaGetsAnApostropheButNumbersStayNumbers() throws {
        let notes = ["=HYPERLINK(1)", "+86 call", "-5 min", "@courier", "\tTab", "\rCR", "a=b"]
        let orders = notes.enumerated().map { index, note in
            order("o\(index)", confirmed: local(12), delivered: local(12, 20), note: note, promisedEarly: true)
        }
        try withReport(orders) { files in
            let rows = try csvText(try #require(files.csvFiles["Orders"])).components(separatedBy: "\r\n")
            for (index, note) in notes.enumerated() where index < 6 {
                #expect(rows[index + 1].contains("'" + note), "\(note)")
            }
            #expect(rows[7].hasSuffix(",a=b"))
            // Ten minutes early: minutes late is a negative number, not neutralised text.
            #expect(rows[1].contains(",-10.00,"))
        }
    }

    @Test func chineseAndEmojiSurviveTheRoundTrip() throws {
        let merchant = "老王麻辣烫🌶️"
        try withReport([order(merchant: merchant, note: "多放辣😋")]) { files in
            let orders = try csvText(try #require(files.csvFiles["Orders"]))
            #expect(orders.contains(merchant))
            #expect(orders.contains("多放辣😋"))
            let merchants = try csvText(try #require(files.csvFiles["Merchants"]))
            #expect(merchants.contains("\(merchant),1,0,0,2.00,0.00\r\n"))
        }
    }

    @Test func moneyIsYuanWithTwoDecimalsAndTimesAreLocal() throws {
        try withReport([order(placed: local(23, 59, 59), totalFen: 12_345)]) { files in
            let text = try csvText(try #require(files.csvFiles["Orders"]))
            #expect(text.contains(",2026-11-24 23:59:59,"))
            #expect(text.contains(",123.45,"))
        }
    }
}

/// An order delivered ten minutes before its promised time, for notes to ride on.
private func order(_ id: String, confirmed: Date, delivered: Date, note: String, promisedEarly: Bool) -> ReportOrder {
    DropMateReportsTests.order(
        id, confirmed: confirmed, delivered: delivered, promised: delivered.addingTimeInterval(600), note: note)
}
