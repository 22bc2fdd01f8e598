import Foundation

extension FileAccess {
    /// Files that are not regular (a FIFO, a device) are read up to this size.
    static let maxStreamBytes = 1 << 30

    /// The whole file at `path`, after `check`. Errors name the path and the reason ("no
    /// such file or directory", "is a directory", "permission denied").
    public static func contents(of path: String, op: String) throws -> [UInt8] {
        try check(path, writing: false, op: op)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError.read(op, path, errno) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw FileError.read(op, path, errno) }
        if st.st_mode & S_IFMT == S_IFDIR { throw FileError.read(op, path, EISDIR) }
        let regular = st.st_mode & S_IFMT == S_IFREG
        var bytes = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: regular ? max(Int(st.st_size) + 1, 1) : 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw FileError.read(op, path, errno) }
            if n == 0 { return bytes }
            bytes += chunk[0..<n]
            if !regular && bytes.count > maxStreamBytes {
                throw TensorError("\(op): cannot read '\(path)' (more than \(maxStreamBytes) bytes from a stream)")
            }
        }
    }
}
