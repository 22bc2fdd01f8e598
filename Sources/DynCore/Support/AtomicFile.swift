import Foundation
import CTempFiles

/// Writes a whole file or nothing. Every writer of dynlua goes through here (tensors, models,
/// plots, the training log, checkpoints). The bytes go to a temporary file `.NAME.tmp-PID` in
/// the target's own directory (after following symbolic links), which is then renamed over the
/// target, so a crash or a full disk never leaves a half-written file where a complete one
/// was. The temporary file is registered for removal at exit and on SIGTERM/SIGHUP
/// (CTempFiles), and removed on any error. Devices, FIFOs and the standard streams are written
/// directly (see FileTarget).
public enum AtomicFile {
    /// `durable`: fsync the data before the rename and the directory after it, so that the new
    /// file survives a power cut too (about 10 ms here: used for models, checkpoints and logs,
    /// not for tensors and plots, which scripts may write in loops).
    public static func write(_ bytes: [UInt8], to path: String, op: String, durable: Bool = false) throws {
        let writer = try Writer(path: path, op: op)
        try writer.append(bytes)
        try writer.commit(durable: durable)
    }

    public static func write(_ data: Data, to path: String, op: String, durable: Bool = false) throws {
        try write([UInt8](data), to: path, op: op, durable: durable)
    }

    public static func write(_ text: String, to path: String, op: String, durable: Bool = false) throws {
        try write(Array(text.utf8), to: path, op: op, durable: durable)
    }

    /// Fails now, before a long computation, when `path` could not be written later: a
    /// directory, a missing or unwritable directory, a read-only file system.
    public static func checkWritable(_ path: String, op: String) throws {
        try FileAccess.check(path, writing: true, op: op)
        let target = try FileTarget.resolve(path, op: op)
        if target.path != path { try FileAccess.check(target.path, writing: true, op: op) }
        guard case .replaceable = target.kind else { return }
        if access(FilePath.directory(target.path), W_OK | X_OK) != 0 { throw FileError.write(op, path, errno) }
    }

    /// A file written piece by piece and put in place by `commit` (the training log). Any
    /// failure removes the temporary file; so does `abandon`, and so does dropping the writer
    /// without committing.
    public final class Writer {
        public let path: String
        let op: String
        let target: FileTarget
        /// nil when the target is written directly.
        let temporary: String?
        private var fd: Int32 = -1
        private var slot: Int32 = -1

        public init(path: String, op: String) throws {
            try FileAccess.check(path, writing: true, op: op)
            self.path = path
            self.op = op
            target = try FileTarget.resolve(path, op: op)
            // The file really written must pass the policy too (a link may lead elsewhere).
            if target.path != path { try FileAccess.check(target.path, writing: true, op: op) }
            switch target.kind {
            case .descriptor(let n):
                temporary = nil
                fd = dup(n)
                if fd < 0 { throw FileError.write(op, path, errno) }
            case .inPlace:
                temporary = nil
                fd = open(target.path, O_WRONLY | O_CLOEXEC | O_NOCTTY)
                if fd < 0 { throw FileError.write(op, path, errno) }
            case .replaceable:
                (temporary, fd, slot) = try Writer.createTemporary(for: target, named: path, op: op)
            }
        }

        /// Creates `.NAME.tmp-PID` (or `.NAME.tmp-PID.k` when taken) beside the target and
        /// registers it for removal before anything is written into it.
        private static func createTemporary(for target: FileTarget, named: String, op: String) throws -> (String, Int32, Int32) {
            // Long names are shortened so that the temporary name stays within NAME_MAX.
            let name = String(decoding: FilePath.name(target.path).utf8.prefix(200), as: UTF8.self)
            let base = FilePath.directoryPrefix(target.path) + ".\(name).tmp-\(getpid())"
            for attempt in 0..<100 {
                let candidate = attempt == 0 ? base : "\(base).\(attempt)"
                let slot = dyn_temp_register(candidate)
                guard slot >= 0 else {
                    throw TensorError("\(op): cannot write '\(named)' (too many files being written at once, or the path is too long)")
                }
                let fd = open(candidate, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, target.mode ?? 0o666)
                if fd >= 0 {
                    if let mode = target.mode { fchmod(fd, mode) }  // the umask must not narrow it
                    return (candidate, fd, slot)
                }
                let code = errno
                dyn_temp_unregister(slot)
                if code != EEXIST { throw FileError.write(op, named, code) }
            }
            throw FileError.write(op, named, EEXIST)
        }

        public func append(_ bytes: [UInt8]) throws {
            try bytes.withUnsafeBytes { try append($0) }
        }

        public func append(_ text: String) throws {
            var text = text
            try text.withUTF8 { try append(UnsafeRawBufferPointer($0)) }
        }

        public func append(_ bytes: UnsafeRawBufferPointer) throws {
            guard fd >= 0 else { throw TensorError("\(op): cannot write '\(path)' (the file was already closed)") }
            var offset = 0
            while offset < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { throw fail(n < 0 ? errno : ENOSPC) }
                offset += n
            }
        }

        /// Closes and renames the temporary file over the target; `durable` flushes the data to
        /// disk first and the directory after, so the new name survives a power cut too.
        public func commit(durable: Bool = false) throws {
            guard fd >= 0 else { throw TensorError("\(op): cannot write '\(path)' (the file was already closed)") }
            guard let temporary else {
                let failed = close(fd) != 0 ? errno : 0
                fd = -1
                if failed != 0 { throw FileError.write(op, path, failed) }
                return
            }
            if durable && fsync(fd) != 0 && errno != EINVAL { throw fail(errno) }
            let closed = close(fd)
            fd = -1
            if closed != 0 { throw fail(errno) }
            if rename(temporary, target.path) != 0 { throw fail(errno) }
            dyn_temp_unregister(slot)
            slot = -1
            guard durable else { return }
            let dir = open(FilePath.directory(target.path), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if dir >= 0 { fsync(dir); close(dir) }
        }

        /// Drops what was written: the temporary file is removed (a device keeps what it got).
        public func abandon() {
            if fd >= 0 { close(fd); fd = -1 }
            if let temporary, slot >= 0 {
                unlink(temporary)
                dyn_temp_unregister(slot)
                slot = -1
            }
        }

        private func fail(_ code: Int32) -> TensorError {
            abandon()
            return FileError.write(op, path, code)
        }

        deinit { abandon() }
    }
}

extension AtomicFile {
    /// Removes `.NAME.tmp-PID` files of `path` left by processes that no longer exist (a run
    /// killed by SIGKILL cannot clean up after itself). Called when a run resumes, for its log
    /// and checkpoint; a file of a live process, or of another user, is left alone.
    public static func removeStaleTemporaries(of path: String) {
        guard let target = try? FileTarget.resolve(path, op: ""), case .replaceable = target.kind else { return }
        let prefix = ".\(String(decoding: FilePath.name(target.path).utf8.prefix(200), as: UTF8.self)).tmp-"
        let dir = FilePath.directory(target.path)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return }
        for name in names where name.hasPrefix(prefix) {
            let digits = name.dropFirst(prefix.count).prefix { $0 != "." }
            guard let pid = Int32(digits), pid > 0, pid != getpid() else { continue }
            if kill(pid, 0) == -1 && errno == ESRCH { unlink(FilePath.directoryPrefix(target.path) + name) }
        }
    }
}
