import Foundation

/// The one gate every file path a script names passes before dynlua reads or writes it (tensors,
/// models, checkpoints, CSV data and logs, plots). It rejects names the file system cannot hold
/// as given (a NUL byte would silently cut the name short), and consults `policy`, which
/// `dynlua --sandbox` sets to confine files to the allowed directories.
public enum FileAccess {
    /// Returns nil when `path` may be used (for writing when `writing`), or why it may not.
    public typealias Policy = (_ path: String, _ writing: Bool) -> String?

    /// nil: every path is allowed (the default outside the sandbox).
    nonisolated(unsafe) public static var policy: Policy?

    /// Throws "op: ..." when `path` cannot or may not be used.
    public static func check(_ path: String, writing: Bool, op: String) throws {
        guard !path.isEmpty else { throw TensorError("\(op): the file name is empty") }
        guard !path.utf8.contains(0) else {
            let shown = path.replacingOccurrences(of: "\0", with: "\\0")
            throw TensorError("\(op): the file name '\(shown)' contains a NUL byte")
        }
        if let policy, let reason = policy(path, writing) { throw TensorError("\(op): \(reason)") }
    }
}
