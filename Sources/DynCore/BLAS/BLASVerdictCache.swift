import Foundation

/// Remembers the self-test's verdict on a kernel family, so that it runs once per machine: one
/// small file per key under the user's cache directory, holding the key itself (a hash collision
/// reads as a miss) and "pass" or "fail: why". Written atomically: a reader sees a whole verdict
/// or none, and two processes racing to write the same verdict both succeed.
public struct BLASVerdictCache {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// $XDG_CACHE_HOME/dynlua, else ~/.cache/dynlua (relative values are ignored, as the XDG
    /// specification asks); nil when neither is known.
    public static func directory(environment: [String: String]) -> String? {
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return xdg + "/dynlua" }
        if let home = environment["HOME"], home.hasPrefix("/") { return home + "/.cache/dynlua" }
        return nil
    }

    /// What a verdict is about: the processor, the library build and the family tried.
    public static func key(cpu: CPUFeatures, libraryConfig: String, family: String) -> String {
        "openblas-core-v1 | \(cpu.signature) | \(libraryConfig) | \(family)"
    }

    public func path(for key: String) -> String {
        // FNV-1a, 64 bits: a short stable file name for a long key.
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in key.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return directory + "/openblas-core-" + String(hash, radix: 16)
    }

    /// true (passed), false (failed), nil (never tested, or unreadable).
    public func verdict(for key: String) -> Bool? {
        guard let data = FileManager.default.contents(atPath: path(for: key)) else { return nil }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 2, lines[0] == key else { return nil }
        if lines[1] == "pass" { return true }
        if lines[1].hasPrefix("fail") { return false }
        return nil
    }

    /// Stores a verdict; `detail` says why a family failed. Best effort: an unwritable cache
    /// only means the test runs again next time.
    public func record(passed: Bool, detail: String, for key: String) {
        let line = passed ? "pass" : "fail: " + detail.replacingOccurrences(of: "\n", with: " ")
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try? AtomicFile.write(key + "\n" + line + "\n", to: path(for: key), op: "blas cache")
    }
}
