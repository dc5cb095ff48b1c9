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
