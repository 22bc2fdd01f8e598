import Foundation

/// Writes a whole file or nothing: the bytes go to a temporary file beside the target, which is
/// then renamed over it, so a crash never leaves a half-written file where a complete one was.
public enum AtomicFile {
    public static func write(_ data: Data, to path: String, op: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let tmp = (dir.isEmpty ? "" : dir + "/") + ".\(name).tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: tmp, contents: data) else {
            throw TensorError("\(op): cannot write '\(path)' (\(String(cString: strerror(errno))))")
        }
        if rename(tmp, path) != 0 {
            let why = String(cString: strerror(errno))
            unlink(tmp)
            throw TensorError("\(op): cannot write '\(path)' (\(why))")
        }
    }

    public static func write(_ text: String, to path: String, op: String) throws {
        try write(Data(text.utf8), to: path, op: op)
    }
}
