import Foundation
import Testing

@testable import DropMateReports

#if canImport(FoundationXML)
import FoundationXML
#endif

@Suite struct SVGChartTests {
    @Test func theChartIsAWellFormedScriptFreeSVGWithEscapedText() {
        var hours = (0..<24).map { HourStats(hour: $0) }
        hours[12].placed = 40
        hours[12].delivered = 31
        let svg = SVGChart(title: "<script>alert(1)</script> & 报表", hours: hours).svg
        #expect(svg.hasPrefix("<svg "))
        #expect(!svg.contains("<script"))
        #expect(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; 报表"))
        #expect(svg.contains("12:00 orders placed: 40"))
        #expect(XMLParser(data: Data(svg.utf8)).parse())
    }
}
