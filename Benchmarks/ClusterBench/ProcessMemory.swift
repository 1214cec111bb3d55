import Foundation

/// What `/proc/PID/status` and `/proc/PID/smaps` say about one process.
struct ProcessMemory {
    let pid: Int32

    /// A `/proc/PID/status` field in MiB (`VmRSS`, `VmHWM`, `RssAnon`, `RssFile`), or a plain count (`Threads`).
    func status(_ field: String) -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
            let number = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap({ Double($0) })
        else { return 0 }
        return line.hasSuffix("kB") ? number / 1024 : number
    }

    var rss: Double { status("VmRSS") }
    var peakRSS: Double { status("VmHWM") }
    var anonymous: Double { status("RssAnon") }
    /// Threads, counted in `/proc/PID/task` (some kernels, gVisor among them, leave `Threads:` out at times).
    var threads: Int { (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task").count) ?? 0 }

    /// Resident MiB by kind of mapping, from smaps. glibc places each malloc arena (other than the main one,
    /// which is the brk heap) at a 64 MiB-aligned address; a thread stack is an anonymous mapping of 1 to
    /// 16 MiB (8 MiB by default), usually with a guard page just below it. Some kernels (gVisor) do not show
    /// the guard pages, so the size and the alignment decide, not the neighbours.
    func breakdown(binary: String) -> [(String, Double)] {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/smaps", encoding: .utf8) else { return [] }
        struct Mapping {
            var start: UInt64
            var end: UInt64
            var permissions: String
            var path: String
            var rss: Double = 0
        }
        var mappings: [Mapping] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if let range = fields.first, range.contains("-"), fields.count >= 5, !range.hasSuffix(":") {
                let bounds = range.split(separator: "-").map { UInt64($0, radix: 16) ?? 0 }
                let path = fields.count >= 6 ? fields[5...].joined(separator: " ") : ""
                mappings.append(
                    Mapping(start: bounds[0], end: bounds.count > 1 ? bounds[1] : 0, permissions: String(fields[1]), path: path))
            } else if fields.first == "Rss:", fields.count >= 2, !mappings.isEmpty {
                mappings[mappings.count - 1].rss = (Double(fields[1]) ?? 0) / 1024
            }
        }
        let realBinary = URL(fileURLWithPath: binary).resolvingSymlinksInPath().path
        let arenaAlignment: UInt64 = 64 << 20
        var totals: [String: Double] = [:]
        var binaryEnd: UInt64 = 0
        for mapping in mappings {
            let size = mapping.end - mapping.start
            let kind: String
            switch mapping.path {
            case realBinary, binary:
                binaryEnd = mapping.end
                if mapping.permissions.contains("x") {
                    kind = "binary code"
                } else {
                    kind = mapping.permissions.hasPrefix("r--") ? "binary read-only data" : "binary data"
                }
            case "[heap]": kind = "heap (brk, main arena)"
            case "[stack]": kind = "main thread stack"
            case "" where mapping.start == binaryEnd: kind = "binary data"  // .bss
            case "" where mapping.start % arenaAlignment == 0 && size <= arenaAlignment: kind = "malloc arenas"
            case "" where size >= 1 << 20 && size <= 16 << 20 && mapping.permissions.hasPrefix("rw"): kind = "thread stacks"
            case "": kind = "other anonymous"
            default: kind = mapping.path.hasPrefix("[") ? "kernel (\(mapping.path))" : "other files"
            }
            totals[kind, default: 0] += mapping.rss
        }
        // Some kernels (gVisor) leave anonymous memory out of smaps: show what VmRSS has beyond the mappings.
        let unattributed = rss - totals.values.reduce(0, +)
        if unattributed >= 0.1 { totals["not in smaps (anonymous memory the kernel does not itemise)"] = unattributed }
        return totals.sorted { $0.value > $1.value }
    }
}
