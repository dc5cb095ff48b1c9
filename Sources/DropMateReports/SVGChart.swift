/// A self-contained SVG bar chart of orders placed and deliveries per local hour,
/// for the report's H5 page: no script, no external font or stylesheet, all text escaped.
public struct SVGChart: Sendable {
    public var title: String
    public var hours: [HourStats]
    public var width = 960
    public var height = 360

    public init(title: String, hours: [HourStats]) {
        self.title = title
        self.hours = hours
    }

    /// The chart as an SVG document.
    public var svg: String {
        let left = 48.0, right = 16.0, top = 40.0, bottom = 56.0
        let plotWidth = Double(width) - left - right
        let plotHeight = Double(height) - top - bottom
        let peak = max(4, hours.map { max($0.placed, $0.delivered) }.max() ?? 1)
        let scaleMax = Self.niceCeiling(peak)
        let slot = plotWidth / Double(max(hours.count, 1))
        let barWidth = slot * 0.38
        func y(_ value: Int) -> Double { top + plotHeight * (1 - Double(value) / Double(scaleMax)) }
        func f(_ value: Double) -> String { fixedPoint(value, decimals: 1) }

        var svg =
            ##"<svg xmlns="http://www.w3.org/2000/svg" width="\##(width)" height="\##(height)" viewBox="0 0 \##(width) \##(height)" role="img" aria-label="\##(xmlEscaped(title))">"##
        svg += "<title>\(xmlEscaped(title))</title>"
        svg += ##"<rect width="100%" height="100%" fill="#ffffff"/>"##
        svg += ##"<g font-family="sans-serif" font-size="12" fill="#333333">"##
        svg += ##"<text x="\##(f(left))" y="24" font-size="16" font-weight="bold">\##(xmlEscaped(title))</text>"##
        for step in 0...4 {
            let value = scaleMax * step / 4
            let lineY = y(value)
            svg +=
                ##"<line x1="\##(f(left))" y1="\##(f(lineY))" x2="\##(f(left + plotWidth))" y2="\##(f(lineY))" stroke="#e0e0e0"/>"##
            svg += ##"<text x="\##(f(left - 6))" y="\##(f(lineY + 4))" text-anchor="end">\##(value)</text>"##
        }
        for (index, hour) in hours.enumerated() {
            let x = left + slot * Double(index) + slot * 0.12
            svg += bar(
                x: x, width: barWidth, top: y(hour.placed), bottom: y(0), colour: "#4472c4",
                label: "\(ReportTables.hourLabel(hour.hour)) orders placed: \(hour.placed)")
            svg += bar(
                x: x + barWidth, width: barWidth, top: y(hour.delivered), bottom: y(0), colour: "#ed7d31",
                label: "\(ReportTables.hourLabel(hour.hour)) deliveries: \(hour.delivered)")
            svg +=
                ##"<text x="\##(f(x + barWidth))" y="\##(f(top + plotHeight + 16))" text-anchor="middle">\##(hour.hour)</text>"##
        }
        let legendY = Double(height) - 14
        svg += ##"<rect x="\##(f(left))" y="\##(f(legendY - 10))" width="12" height="12" fill="#4472c4"/>"##
        svg += ##"<text x="\##(f(left + 18))" y="\##(f(legendY))">Orders placed 下单</text>"##
        svg += ##"<rect x="\##(f(left + 170))" y="\##(f(legendY - 10))" width="12" height="12" fill="#ed7d31"/>"##
        svg += ##"<text x="\##(f(left + 188))" y="\##(f(legendY))">Deliveries 送达</text>"##
        svg += "</g></svg>\n"
        return svg
    }

    private func bar(x: Double, width: Double, top: Double, bottom: Double, colour: String, label: String) -> String {
        let height = max(0, bottom - top)
        return
            ##"<rect x="\##(fixedPoint(x, decimals: 1))" y="\##(fixedPoint(top, decimals: 1))" width="\##(fixedPoint(width, decimals: 1))" height="\##(fixedPoint(height, decimals: 1))" fill="\##(colour)"><title>\##(xmlEscaped(label))</title></rect>"##
    }

    /// The smallest of 1, 2, 5 × 10ⁿ (and multiples of 4 ticks) at or above `value`.
    static func niceCeiling(_ value: Int) -> Int {
        var magnitude = 1
        while magnitude * 10 <= value { magnitude *= 10 }
        for factor in [1, 2, 4, 5, 8, 10] where factor * magnitude >= value {
            return factor * magnitude
        }
        return 10 * magnitude
    }
}
