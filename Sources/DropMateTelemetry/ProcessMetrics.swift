import Foundation

/// `process_cpu_seconds_total`, `process_resident_memory_bytes` and `process_start_time_seconds`, read from
/// `/proc/self` at each scrape (Linux; elsewhere they are left out).
package enum ProcessMetrics {
    package static func text() -> String {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return "" }
        // Fields after "pid (comm)": state is field 3, utime 14, stime 15, starttime 22 (man 5 proc).
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 20, let utime = Double(fields[11]), let stime = Double(fields[12]),
            let started = Double(fields[19])
        else { return "" }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        var lines = """
            # TYPE process_cpu_seconds_total counter
            process_cpu_seconds_total \((utime + stime) / ticks)

            """
        if let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
            let pages = statm.split(separator: " ").dropFirst().first.flatMap({ Double($0) })
        {
            lines += """
                # TYPE process_resident_memory_bytes gauge
                process_resident_memory_bytes \(Int64(pages) * Int64(sysconf(Int32(_SC_PAGESIZE))))

                """
        }
        if let boot = bootTime {
            lines += """
                # TYPE process_start_time_seconds gauge
                process_start_time_seconds \(boot + started / ticks)

                """
        }
        return lines
    }

    /// When the machine booted (Unix seconds): `btime` in /proc/stat.
    static let bootTime: Double? = {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
        for line in stat.split(separator: "\n") where line.hasPrefix("btime ") { return Double(line.dropFirst(6)) }
        return nil
    }()
}
