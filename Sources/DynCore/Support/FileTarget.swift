import Foundation

/// Where a write to a path named by a script really goes: symbolic links are followed to
/// their final target (so saving through a link replaces the file it points to, in that
/// file's directory, and keeps the link), and devices, FIFOs and the standard streams are
/// written in place (replacing /dev/full with a regular file would be wrong even as root).
struct FileTarget {
    enum Kind {
        /// A regular file or no file yet: written by temporary file + rename.
        case replaceable
        /// A device, a FIFO or a /proc entry: opened and written directly.
        case inPlace
        /// One of the process's open descriptors (/dev/stdout, /dev/fd/N): written through a copy.
        case descriptor(Int32)
    }

    let path: String
    let kind: Kind
    /// The existing file's permission bits, kept by the replacement.
    let mode: mode_t?

    static func resolve(_ named: String, op: String) throws -> FileTarget {
        if let fd = standardDescriptor(named) { return FileTarget(path: named, kind: .descriptor(fd), mode: nil) }
        var current = named
        for _ in 0..<40 {
            if current.hasPrefix("/proc/") { return FileTarget(path: current, kind: .inPlace, mode: nil) }
            var st = stat()
            guard lstat(current, &st) == 0 else {
                if errno == ENOENT { return try replaceable(current, named: named, mode: nil, op: op) }
                throw FileError.write(op, named, errno)
            }
            switch st.st_mode & S_IFMT {
            case S_IFLNK:
                current = try linkTarget(current, named: named, op: op)
            case S_IFREG:
                return try replaceable(current, named: named, mode: st.st_mode & 0o7777, op: op)
            case S_IFDIR:
                throw FileError.write(op, named, EISDIR)
            case S_IFCHR, S_IFBLK, S_IFIFO:
                return FileTarget(path: current, kind: .inPlace, mode: nil)
            default:
                throw TensorError("\(op): cannot write '\(named)' (it is a socket or another special file)")
            }
        }
        throw FileError.write(op, named, ELOOP)
    }

    private static func replaceable(_ path: String, named: String, mode: mode_t?, op: String) throws -> FileTarget {
        guard !FilePath.name(path).isEmpty else {
            throw TensorError("\(op): cannot write '\(named)' (the name ends with '/': a directory, not a file)")
        }
        return FileTarget(path: path, kind: .replaceable, mode: mode)
    }

    /// The path a symbolic link points to, relative targets taken from the link's directory.
    private static func linkTarget(_ link: String, named: String, op: String) throws -> String {
        var buffer = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = buffer.withUnsafeMutableBytes { readlink(link, $0.baseAddress!.assumingMemoryBound(to: CChar.self), Int(PATH_MAX)) }
        guard n >= 0 else { throw FileError.write(op, named, errno) }
        guard let target = String(validating: buffer[0..<n], as: UTF8.self) else {
            throw TensorError("\(op): cannot write '\(named)' (a symbolic link on the way points to a name that is not UTF-8)")
        }
        return target.hasPrefix("/") ? target : FilePath.directoryPrefix(link) + target
    }

    /// /dev/stdout, /dev/stderr, /dev/stdin, /dev/fd/N and /proc/self/fd/N: the descriptor.
    private static func standardDescriptor(_ path: String) -> Int32? {
        switch path {
        case "/dev/stdin": return 0
        case "/dev/stdout": return 1
        case "/dev/stderr": return 2
        default:
            for prefix in ["/dev/fd/", "/proc/self/fd/"] where path.hasPrefix(prefix) {
                return Int32(path.dropFirst(prefix.count))
            }
            return nil
        }
    }
}

/// Splitting paths on '/' byte by byte (Foundation's NSString path methods trap on some names).
enum FilePath {
    /// Everything up to and including the last '/', or "" for a bare name.
    static func directoryPrefix(_ path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "" }
        return String(path[...slash])
    }

    /// The part after the last '/'.
    static func name(_ path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return path }
        return String(path[path.utf8.index(after: slash)...])
    }

    /// The directory to open for fsync: "." for a bare name.
    static func directory(_ path: String) -> String {
        let prefix = directoryPrefix(path)
        return prefix.isEmpty ? "." : prefix
    }
}

/// Error messages naming the operation, the path as the script gave it, and the system's reason.
enum FileError {
    static func reason(_ code: Int32) -> String {
        let text = String(cString: strerror(code))
        return text.prefix(1).lowercased() + text.dropFirst()
    }

    static func write(_ op: String, _ path: String, _ code: Int32) -> TensorError {
        TensorError("\(op): cannot write '\(path)' (\(reason(code)))")
    }

    static func read(_ op: String, _ path: String, _ code: Int32) -> TensorError {
        TensorError("\(op): cannot read '\(path)' (\(reason(code)))")
    }
}
