import Testing

@testable import DropMateReports

@Suite struct FormulaGuardTests {
    @Test(arguments: ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
    func dangerousTextGetsALeadingApostrophe(_ text: String) {
        #expect(FormulaGuard.neutralise(text) == "'" + text)
    }

    @Test(arguments: ["", "1+2", "a=b", "'=quoted", "宫保鸡丁", "😀="])
    func harmlessTextIsLeftAlone(_ text: String) {
        #expect(FormulaGuard.neutralise(text) == text)
    }
}

@Suite struct CellTextTests {
    @Test func textLongerThanAnExcelCellIsCutTheSameWayForBothFormats() {
        let note = String(repeating: "长", count: 40_000)
        guard case .text(let clipped) = ReportCell.textOrEmpty(note) else {
            Issue.record("expected text")
            return
        }
        #expect(clipped.utf16.count < ReportCell.maximumTextLength)
        #expect(clipped.hasSuffix("…"))
        #expect(ReportCell.textOrEmpty("短") == .text("短"))
        #expect(ReportCell.textOrEmpty("") == .empty)
    }
}
