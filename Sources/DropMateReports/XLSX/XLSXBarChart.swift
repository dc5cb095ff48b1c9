/// A native clustered bar chart (DrawingML `c:barChart`) of the By hour sheet:
/// hours as categories, orders placed and deliveries as two series. The series reference
/// the sheet's cells and carry a cache of the values, so readers that do not recalculate
/// still draw it.
struct XLSXBarChart {
    /// The sheet the data lives on (quoted in references, so spaces are fine).
    var sheetName: String
    var title: String
    /// Category labels (column A, rows 2…).
    var categories: [String]
    /// Series name (header cell in row 1) and values, one series per column from B.
    var series: [(name: String, values: [Int])]

    private var quotedSheet: String { "'" + sheetName.replacingOccurrences(of: "'", with: "''") + "'" }

    var xml: String {
        let lastRow = categories.count + 1
        var xml =
            XLSXPackageParts.header
            + #"<c:chartSpace xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" "#
            + #"xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" "#
            + #"xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#
            + #"<c:roundedCorners val="0"/><c:chart><c:title><c:tx><c:rich><a:bodyPr/><a:p><a:r><a:t>"#
            + xmlEscaped(title)
            + #"</a:t></a:r></a:p></c:rich></c:tx><c:overlay val="0"/></c:title><c:autoTitleDeleted val="0"/><c:plotArea><c:layout/>"#
            + #"<c:barChart><c:barDir val="col"/><c:grouping val="clustered"/><c:varyColors val="0"/>"#
        let colours = ["4472C4", "ED7D31", "A5A5A5"]
        for (index, entry) in series.enumerated() {
            let column = XLSXSheetWriter.columnName(index + 1)
            xml +=
                #"<c:ser><c:idx val="\#(index)"/><c:order val="\#(index)"/>"#
                + "<c:tx><c:strRef><c:f>\(xmlEscaped(quotedSheet))!$\(column)$1</c:f>"
                + #"<c:strCache><c:ptCount val="1"/><c:pt idx="0"><c:v>\#(xmlEscaped(entry.name))</c:v></c:pt></c:strCache></c:strRef></c:tx>"#
                + #"<c:spPr><a:solidFill><a:srgbClr val="\#(colours[index % colours.count])"/></a:solidFill></c:spPr>"#
                + #"<c:invertIfNegative val="0"/>"#
                + "<c:cat><c:strRef><c:f>\(xmlEscaped(quotedSheet))!$A$2:$A$\(lastRow)</c:f>"
                + stringCache(categories) + "</c:strRef></c:cat>"
                + "<c:val><c:numRef><c:f>\(xmlEscaped(quotedSheet))!$\(column)$2:$\(column)$\(lastRow)</c:f>"
                + numberCache(entry.values) + "</c:numRef></c:val></c:ser>"
        }
        xml +=
            #"<c:gapWidth val="60"/><c:axId val="500000001"/><c:axId val="500000002"/></c:barChart>"#
            + #"<c:catAx><c:axId val="500000001"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/>"#
            + #"<c:axPos val="b"/><c:numFmt formatCode="General" sourceLinked="1"/><c:tickLblPos val="nextTo"/>"#
            + #"<c:crossAx val="500000002"/><c:crosses val="autoZero"/><c:auto val="1"/><c:lblAlgn val="ctr"/><c:lblOffset val="100"/></c:catAx>"#
            + #"<c:valAx><c:axId val="500000002"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/>"#
            + #"<c:axPos val="l"/><c:majorGridlines/><c:numFmt formatCode="0" sourceLinked="0"/><c:tickLblPos val="nextTo"/>"#
            + #"<c:crossAx val="500000001"/><c:crosses val="autoZero"/><c:crossBetween val="between"/></c:valAx>"#
            + #"</c:plotArea><c:legend><c:legendPos val="b"/><c:overlay val="0"/></c:legend><c:plotVisOnly val="1"/>"#
            + #"<c:dispBlanksAs val="gap"/></c:chart></c:chartSpace>"#
        return xml
    }

    private func stringCache(_ values: [String]) -> String {
        var xml = #"<c:strCache><c:ptCount val="\#(values.count)"/>"#
        for (index, value) in values.enumerated() {
            xml += #"<c:pt idx="\#(index)"><c:v>\#(xmlEscaped(value))</c:v></c:pt>"#
        }
        return xml + "</c:strCache>"
    }

    private func numberCache(_ values: [Int]) -> String {
        var xml = #"<c:numCache><c:formatCode>General</c:formatCode><c:ptCount val="\#(values.count)"/>"#
        for (index, value) in values.enumerated() {
            xml += #"<c:pt idx="\#(index)"><c:v>\#(value)</c:v></c:pt>"#
        }
        return xml + "</c:numCache>"
    }
}
