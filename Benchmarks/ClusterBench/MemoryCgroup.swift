import Foundation

/// A memory cgroup of the benchmark's own, so Herald's memory is read the way the kubelet reads a
/// container's: the working set `kubectl top` shows is usage minus inactive file pages.
///
/// cgroup v2 (`memory.current`, `memory.stat: inactive_file`, `memory.peak`) or v1 (`memory.usage_in_bytes`,
/// `memory.stat: total_inactive_file`, `memory.max_usage_in_bytes`), whichever the machine mounts. The group
/// is created below the benchmark's own cgroup and removed at the end.
struct MemoryCgroup {
    enum Version: String { case v1, v2 }

    let version: Version
    let path: String

    /// Creates `herald-bench-PID` below this process's memory cgroup; nil (with the reason printed) when
    /// there is no writable memory controller.
    static func create(name: String) -> MemoryCgroup? {
        let fileManager = FileManager.default
        let membership = (try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8)) ?? ""
        let lines = membership.split(separator: "\n")
        var candidates: [(Version, String)] = []
        if fileManager.fileExists(atPath: "/sys/fs/cgroup/cgroup.controllers"),
            let own = lines.first(where: { $0.hasPrefix("0::") })
        {
            candidates.append((.v2, "/sys/fs/cgroup" + own.dropFirst(3)))
        }
        if fileManager.fileExists(atPath: "/sys/fs/cgroup/memory/memory.usage_in_bytes") {
            let own = lines.first { $0.split(separator: ":").dropFirst().first?.split(separator: ",").contains("memory") == true }
            let relative = own.map { String($0.split(separator: ":", maxSplits: 2).last ?? "") } ?? ""
            candidates.append((.v1, "/sys/fs/cgroup/memory" + relative))
            candidates.append((.v1, "/sys/fs/cgroup/memory"))
        }
        for (version, parent) in candidates {
            let path = parent + "/" + name
            if (try? fileManager.createDirectory(atPath: path, withIntermediateDirectories: false)) != nil,
                fileManager.fileExists(atPath: path + "/cgroup.procs")
            {
                return MemoryCgroup(version: version, path: path)
            }
        }
        return nil
    }

    /// A shell command that moves itself into the group and then execs `command`, so every page the
    /// process ever touches is charged here (charges do not follow a process that is moved later).
    func wrapping(_ command: [String]) -> [String] {
        ["/bin/sh", "-c", "echo $$ > '\(path)/cgroup.procs' && exec \"$@\"", "herald-in-cgroup"] + command
    }

    /// Bytes charged to the group now.
    var usage: Double { value(version == .v2 ? "memory.current" : "memory.usage_in_bytes") }

    /// The highest usage seen (v2 `memory.peak` needs Linux 5.19; 0 when absent).
    var peakUsage: Double { value(version == .v2 ? "memory.peak" : "memory.max_usage_in_bytes") }

    /// The kubelet's working set: usage minus inactive file pages, never below zero.
    var workingSet: Double {
        max(0, usage - stat(version == .v2 ? "inactive_file" : "total_inactive_file"))
    }

    func stat(_ key: String) -> Double {
        guard let text = try? String(contentsOfFile: path + "/memory.stat", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, parts[0] == key { return Double(parts[1]) ?? 0 }
        }
        return 0
    }

    /// Removes the group once its processes are gone (retries while the kernel still counts them).
    func remove() {
        for _ in 0..<50 {
            if rmdir(path) == 0 { return }
            usleep(100_000)
        }
    }

    private func value(_ file: String) -> Double {
        let text = (try? String(contentsOfFile: path + "/" + file, encoding: .utf8)) ?? ""
        return Double(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }
}
