import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where `dynlua --sandbox` lets a script read and write files: the working directory and each
/// `--allow` directory, with everything below them. A path is judged by the file it really
/// names: every symbolic link on the way is followed (a dangling one too, since writing through
/// it would create its target), so a link inside an allowed tree cannot lead out of it. Paths
/// are handled as bytes, as the kernel sees them (no Unicode normalisation, no lossy decoding).
public struct SandboxPolicy: Sendable {
    /// The allowed trees as real paths: absolute, no links, no "." or "..".
    public var roots: [String] { rootBytes.map { String(decoding: $0, as: UTF8.self) } }
    private let rootBytes: [[UInt8]]

    /// Fails with a message naming a directory that does not exist or is not a directory.
    public init(workingDirectory: String = FileManager.default.currentDirectoryPath, allowing: [String] = []) throws {
        var roots: [[UInt8]] = []
        for dir in [workingDirectory] + allowing {
            guard let real = Self.realPath(Array(dir.utf8)) else {
                throw TensorError("--allow \(dir): \(String(cString: strerror(errno)))")
            }
            var info = stat()
            guard stat(Self.cString(real), &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
                throw TensorError("--allow \(dir): not a directory")
            }
            if !roots.contains(real) { roots.append(real) }
        }
        rootBytes = roots
    }

    /// nil when `path` lies in an allowed tree, else why not. The same trees serve reading and
    /// writing (`writing` is there for policies that tell them apart).
    public func refusal(_ path: String, writing: Bool) -> String? {
        guard !path.utf8.contains(0) else { return "the file name contains a NUL byte" }
        // The kernel takes no longer name (ENAMETOOLONG); the bound also keeps resolving cheap.
        guard path.utf8.count < Int(PATH_MAX) else { return "the file name is longer than \(PATH_MAX - 1) bytes" }
        guard let real = Self.resolve(Array(path.utf8)) else {
            return "'\(path)' cannot be resolved (a loop of symbolic links, a path too long, or no working directory)"
        }
        if rootBytes.contains(where: { Self.isInside(real.path, $0) }) { return nil }
        let shown = String(decoding: real.path, as: UTF8.self)
        let leads = real.followedLink ? " leads to \(shown), which is" : " is"
        return "'\(path)'\(leads) outside the directories the sandbox allows (\(roots.joined(separator: ", ")))"
    }

    static func isInside(_ path: [UInt8], _ root: [UInt8]) -> Bool {
        if root == [slash] { return true }
        return path == root || (path.starts(with: root) && path[root.count] == slash)
    }

    private static let slash = UInt8(ascii: "/")
    private static let maxLinks = 40  // as the kernel's limit (ELOOP)

    /// The absolute path `path` names, relative ones taken from the working directory, with
    /// every existing symbolic link replaced by its target and "." and ".." applied. A missing
    /// component and what follows are taken as written (opening them cannot reach further than
    /// that). nil after too many links (a loop), past PATH_MAX, or without a working directory.
    static func resolve(_ path: [UInt8]) -> (path: [UInt8], followedLink: Bool)? {
        var resolved: [UInt8] = []  // absolute, no trailing slash ("" is the root)
        var lengths: [Int] = []     // of each component in `resolved`, to undo it on ".."
        func append(_ name: [UInt8]) { resolved.append(slash); resolved += name; lengths.append(name.count) }
        if path.first != slash {
            guard let cwd = realPath([UInt8(ascii: ".")]) else { return nil }
            components(cwd).forEach(append)
        }
        var pending = Array(components(path).reversed())  // next component last
        var links = 0
        while let name = pending.popLast() {
            if name == [UInt8(ascii: ".")] { continue }
            if name == [UInt8(ascii: "."), UInt8(ascii: ".")] {
                if let n = lengths.popLast() { resolved.removeLast(n + 1) }
                continue
            }
            if let target = linkTarget(resolved + [slash] + name) {
                links += 1
                if links > maxLinks { return nil }
                if target.first == slash { resolved = []; lengths = [] }
                pending += components(target).reversed()
                continue
            }
            append(name)
            // Links can make it longer than any name given; past PATH_MAX, refuse rather than
            // spend time (the kernel would not open it either).
            if resolved.count >= Int(PATH_MAX) { return nil }
        }
        return (resolved.isEmpty ? [slash] : resolved, links > 0)
    }

    private static func components(_ path: [UInt8]) -> [[UInt8]] {
        path.split(separator: slash).map(Array.init)
    }

    /// The target of the symbolic link at `path`, nil when it is no link (or does not exist).
    private static func linkTarget(_ path: [UInt8]) -> [UInt8]? {
        let cPath = cString(path)
        var info = stat()
        guard lstat(cPath, &info) == 0, info.st_mode & S_IFMT == S_IFLNK else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink(cPath, &buffer, buffer.count)
        // A link that cannot be read resolves to "/", which is outside unless "/" is allowed.
        guard n > 0 else { return [slash] }
        return buffer[..<n].map { UInt8(bitPattern: $0) }
    }

    private static func realPath(_ path: [UInt8]) -> [UInt8]? {
        guard let p = realpath(cString(path), nil) else { return nil }
        defer { free(p) }
        return UnsafeBufferPointer(start: p, count: strlen(p)).map { UInt8(bitPattern: $0) }
    }

    private static func cString(_ path: [UInt8]) -> [CChar] {
        path.map { CChar(bitPattern: $0) } + [0]
    }
}
