// report-bench: builds a daily report from N synthetic orders (CJK text, emoji, formula-like notes,
// a realistic spread over hours, merchants, couriers, items and cancellations) and writes
// `expected.json` with totals counted here, independently of the report library's aggregator,
// for scripts/reports/check_report.py.
//
// usage: report-bench ORDERS OUTPUT_DIR [YYYY-MM-DD]
//   REPORT_BUNDLE_CSVS=1 also zips the CSVs; REPORT_GENERATE_ONLY=1 times the synthetic orders alone
//   (what the generator costs, to subtract from a full run).
import DropMateReports
import Foundation

/// SplitMix64: a tiny deterministic generator, so every run builds the same day.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

let arguments = CommandLine.arguments
guard arguments.count >= 3, let count = Int(arguments[1]) else {
    FileHandle.standardError.write(Data("usage: report-bench ORDERS OUTPUT_DIR [YYYY-MM-DD]\n".utf8))
    exit(2)
}
let output = URL(fileURLWithPath: arguments[2])
let day = ReportDay(arguments.count > 3 ? arguments[3] : "2026-11-24")!
var random = SeededGenerator(state: 7)

let merchantBases: [String] = ["老王麻辣烫", "沙县小吃", "兰州拉面", "Joe's Pizza", "喜茶", "黄焖鸡米饭", "肯德基", "寿司郎"]
let merchantNames: [String] = (1...40).map { (index: Int) -> String in merchantBases[index % 8] + " \(index)号店" }
let courierBases: [String] = ["张伟", "王芳", "李娜", "刘洋", "陈杰", "Alex", "赵磊", "孙丽"]
let courierNames: [String] = (1...60).map { (index: Int) -> String in courierBases[index % 8] + "\(index)" }
let itemBases: [String] = ["宫保鸡丁", "鱼香肉丝", "米饭", "珍珠奶茶🧋", "Cheeseburger", "麻婆豆腐", "牛肉面🍜", "饺子"]
let itemCatalog: [(String, Int)] = (1...200).map { (index: Int) -> (String, Int) in
    (itemBases[index % 8] + " #\(index)", 500 + (index * 137) % 4_500)
}
let cancelReasons = ["customer changed mind", "商家已打烊", "no courier", "地址错误"]
let notes = ["", "", "", "多放辣🌶️", "不要葱, 谢谢", "=HYPERLINK(\"http://evil\",\"点我\")", "-5 分钟后到", "+86 请打电话",
             "@骑手 放门口", "说 \"你好\" 就行", "line one\nline two", "\ttabbed"]
let districts = ["上海市浦东新区", "上海市徐汇区", "北京市朝阳区", "杭州市西湖区", "深圳市南山区"]
// Busier at lunch and dinner.
let hourWeights = [1, 1, 1, 1, 1, 2, 4, 8, 10, 8, 12, 30, 34, 16, 8, 8, 12, 26, 30, 18, 10, 6, 4, 2]
let weightTotal = hourWeights.reduce(0, +)

var placed = 0, delivered = 0, cancelled = 0, revenueFen = 0
var placedByHour = [Int](repeating: 0, count: 24)
var calendar = Calendar(identifier: .gregorian)
calendar.timeZone = day.timeZone

let started = Date()
let generateOnly = ProcessInfo.processInfo.environment["REPORT_GENERATE_ONLY"] == "1"
let bundlesCSVs = ProcessInfo.processInfo.environment["REPORT_BUNDLE_CSVS"] == "1"
let builder = try DailyReportBuilder(day: day, directory: output, bundlesCSVs: bundlesCSVs)
for index in 0..<count {
    var pick = Int.random(in: 0..<weightTotal, using: &random)
    var hour = 0
    while pick >= hourWeights[hour] { pick -= hourWeights[hour]; hour += 1 }
    let placedAt = day.start.addingTimeInterval(Double(hour * 3_600 + Int.random(in: 0..<3_600, using: &random)))
    let items = (0..<Int.random(in: 1...4, using: &random)).map { _ in
        let item = itemCatalog[Int.random(in: 0..<itemCatalog.count, using: &random)]
        return ReportItem(name: item.0, quantity: Int.random(in: 1...3, using: &random), unitPriceFen: item.1)
    }
    let total = items.reduce(0) { $0 + $1.lineTotalFen } + 300
    let roll = Int.random(in: 0..<100, using: &random)
    let confirmedAt = roll < 3 ? nil : placedAt.addingTimeInterval(Double(Int.random(in: 20...300, using: &random)))
    let isCancelled = roll < 8
    let deliveryMinutes = Int.random(in: 15...70, using: &random)
    let promisedMinutes = 40
    let deliveredAt = (isCancelled || roll >= 97) ? nil : confirmedAt?.addingTimeInterval(Double(deliveryMinutes * 60))
    let order = ReportOrder(
        id: "DM\(day.isoDate.replacingOccurrences(of: "-", with: ""))-\(index + 1)",
        placedAt: placedAt, confirmedAt: confirmedAt,
        dispatchedAt: confirmedAt?.addingTimeInterval(120), pickedUpAt: deliveredAt?.addingTimeInterval(-900),
        deliveredAt: deliveredAt,
        cancelledAt: isCancelled ? placedAt.addingTimeInterval(600) : nil,
        cancelReason: isCancelled ? cancelReasons[roll % cancelReasons.count] : nil,
        merchantName: merchantNames[Int.random(in: 0..<merchantNames.count, using: &random)],
        courierName: confirmedAt == nil ? nil : courierNames[Int.random(in: 0..<courierNames.count, using: &random)],
        items: items, totalFen: total,
        promisedAt: confirmedAt?.addingTimeInterval(Double(promisedMinutes * 60)),
        firstEtaAt: confirmedAt?.addingTimeInterval(Double((promisedMinutes - 5) * 60)),
        maskedPhone: maskPhone("138\(String(format: "%08d", index))"),
        districtAddress: districtLevel(districts[index % districts.count] + "某某路\(index % 999)号"),
        note: notes[index % notes.count],
        distanceMetres: deliveredAt == nil ? nil : Int.random(in: 300...6_000, using: &random)
    )
    if !generateOnly { try builder.add(order) }
    placed += 1
    placedByHour[calendar.component(.hour, from: placedAt)] += 1
    if isCancelled { cancelled += 1 } else { revenueFen += total }
    if deliveredAt != nil { delivered += 1 }
}
let addSeconds = Date().timeIntervalSince(started)
let extras = DayExtras(pushesSent: count * 3, pushesFailed: count / 200, smsSent: count / 50, boardPosts: 17, deadJobs: 2)
let files = try builder.finish(extras: extras)
let elapsed = Date().timeIntervalSince(started)

let expected: [String: Any] = [
    "placed": placed, "delivered": delivered, "cancelled": cancelled, "revenue_fen": revenueFen,
    "placed_by_hour": placedByHour, "pushes_sent": extras.pushesSent, "dead_jobs": extras.deadJobs,
]
try JSONSerialization.data(withJSONObject: expected, options: [.sortedKeys, .prettyPrinted])
    .write(to: output.appendingPathComponent("expected.json"))
let size = (try? FileManager.default.attributesOfItem(atPath: files.xlsx.path)[.size] as? Int) ?? 0
print("orders=\(count) seconds=\(String(format: "%.2f", elapsed)) add_seconds=\(String(format: "%.2f", addSeconds)) xlsx_bytes=\(size) placed=\(files.summary.placed) delivered=\(files.summary.delivered)")
