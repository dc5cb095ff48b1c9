import Foundation

/// Appends bytes to a file through a 256 KB buffer, so rows can be streamed to disk
/// without holding a sheet in memory.
final class ByteSink {
    let url: URL
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private let capacity = 1 << 18
    /// Bytes written so far, buffered or not.
    private(set) var count = 0

    /// Creates (or truncates) the file at `url`.
    init(url: URL) throws {
        self.url = url
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw ReportError.cannotWrite(url.path)
        }
        handle = try FileHandle(forWritingTo: url)
        buffer.reserveCapacity(capacity + 4096)
    }

    func write(_ text: String) {
        var text = text
        text.withUTF8 { write($0) }
    }

    func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        buffer.append(contentsOf: bytes)
        count += bytes.count
        if buffer.count >= capacity { flushBuffer() }
    }

    func write(byte: UInt8) {
        buffer.append(byte)
        count += 1
    }

    func write(bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        count += bytes.count
        if buffer.count >= capacity { flushBuffer() }
    }

    /// Writes `text` with `&`, `<`, `>` and `"` escaped, and characters XML 1.0 forbids dropped.
    func writeXMLEscaped(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            var runStart = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                let replacement: StaticString?
                switch byte {
                case UInt8(ascii: "&"): replacement = "&amp;"
                case UInt8(ascii: "<"): replacement = "&lt;"
                case UInt8(ascii: ">"): replacement = "&gt;"
                case UInt8(ascii: "\""): replacement = "&quot;"
                case 0x09, 0x0A, 0x0D: continue
                case 0x00..<0x20: replacement = ""  // control characters are not allowed in XML 1.0
                case 0xEF
                where index + 2 < utf8.count && utf8[index + 1] == 0xBF
                    && (utf8[index + 2] == 0xBE || utf8[index + 2] == 0xBF):
                    // U+FFFE and U+FFFF are not XML characters either; skip all three bytes.
                    write(UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                    runStart = index + 3
                    continue
                default: continue
                }
                guard index >= runStart, let replacement else { continue }
                write(UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                replacement.withUTF8Buffer { write($0) }
                runStart = index + 1
            }
            if runStart < utf8.count { write(UnsafeBufferPointer(rebasing: utf8[runStart...])) }
        }
    }

    private func flushBuffer() {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBytes { handle.write(Data($0)) }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes what is buffered and closes the file.
    func close() throws {
        flushBuffer()
        try handle.synchronize()
        try handle.close()
    }
}

/// Writes a fixed-point number `scaled / 10^decimals` as text, exactly: `fixedPoint(-1234, 2)` → `-12.34`.
func fixedPoint(_ scaled: Int, decimals: Int) -> String {
    var divisor = 1
    for _ in 0..<decimals { divisor *= 10 }
    let magnitude = scaled.magnitude
    let whole = magnitude / UInt(divisor)
    var fraction = String(magnitude % UInt(divisor))
    fraction = String(repeating: "0", count: decimals - fraction.count) + fraction
    return (scaled < 0 ? "-" : "") + String(whole) + (decimals > 0 ? "." + fraction : "")
}

/// `value` rounded half away from zero to `decimals` places, as fixed-point text.
func fixedPoint(_ value: Double, decimals: Int) -> String {
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    return fixedPoint(Int((value * scale).rounded()), decimals: decimals)
}
