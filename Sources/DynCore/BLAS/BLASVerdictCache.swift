import CBLASStart
import Foundation

/// Remembers the self-test's verdict for this processor and library, so that it runs once per
/// machine. The file format, the key and the reading are C (`dyn_blas_start.h`), because the
/// executable also reads the cache before any library is initialized; writing is here, atomic: a
/// reader sees a whole verdict or none, and two processes racing to write both succeed.
public struct BLASVerdictCache {
    public enum Verdict: Equatable {
        /// The family passed: run it.
        case use(String)
        /// It failed: keep OpenBLAS's own choice.
        case keep
    }

    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// $XDG_CACHE_HOME/dynlua, else $HOME/.cache/dynlua; nil when neither is an absolute path.
    public static func directory(xdgCacheHome: String?, home: String?) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
        return dyn_blas_cache_dir(xdgCacheHome, home, &buffer, buffer.count) == 0 ? String(cString: buffer) : nil
    }

    /// The cache of this process's environment.
    public static var standard: BLASVerdictCache? {
        directory(xdgCacheHome: ProcessInfo.processInfo.environment["XDG_CACHE_HOME"],
                  home: ProcessInfo.processInfo.environment["HOME"]).map(BLASVerdictCache.init(directory:))
    }

    /// This processor, this process's OpenBLAS file and the test variable; nil when the library
    /// file cannot be found.
    public static func currentKey() -> String? {
        var buffer = [CChar](repeating: 0, count: 1024)
        return dyn_blas_cache_key(getenv(DYN_BLAS_TEST_PRETEND_DEFAULT), &buffer, buffer.count) == 0 ? String(cString: buffer) : nil
    }

    public func path(for key: String) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 64)
        dyn_blas_cache_file(directory, key, &buffer, buffer.count)
        return String(cString: buffer)
    }

    /// The verdict stored for `key`, or nil (never tested, or unreadable).
    public func verdict(for key: String) -> Verdict? {
        var family = [CChar](repeating: 0, count: 64)
        switch dyn_blas_cache_lookup(path(for: key), key, &family, family.count) {
        case 1: return .use(String(cString: family))
        case 0: return .keep
        default: return nil
        }
    }

    /// Stores a verdict; `detail` says why a family was not kept. Best effort: an unwritable
    /// cache only means the test runs again next time.
    public func record(_ verdict: Verdict, detail: String = "", for key: String) {
        let line: String
        switch verdict {
        case .use(let family): line = "use " + family
        case .keep: line = "keep: " + detail.replacingOccurrences(of: "\n", with: " ")
        }
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try? AtomicFile.write(key + "\n" + line + "\n", to: path(for: key), op: "blas cache")
    }
}
