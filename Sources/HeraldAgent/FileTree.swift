#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Minimal POSIX file-system walking, so reading manifests needs no full Foundation.
enum FileTree {
    enum Kind { case missing, file, directory }

    static func kind(of path: String) -> Kind {
        var info = stat()
        guard stat(path, &info) == 0 else { return .missing }
        return (info.st_mode & S_IFMT) == S_IFDIR ? .directory : .file
    }

    /// Every regular file below `directory`, sorted, following no symbolic links to directories twice.
    static func files(under directory: String, depth: Int = 0) -> [String]? {
        guard depth < 64, let handle = opendir(directory) else { return nil }
        defer { closedir(handle) }
        var result: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            switch kind(of: path) {
            case .directory: result.append(contentsOf: files(under: path, depth: depth + 1) ?? [])
            case .file: result.append(path)
            case .missing: continue
            }
        }
        return result.sorted()
    }
}
