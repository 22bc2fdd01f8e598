import Foundation
import XCTest
@testable import DynCore

/// AtomicFile on the real file system: names, links, devices, FIFOs, a full disk.
final class AtomicFileTests: XCTestCase {
    var dir: String!

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "dynlua-atomic-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func entries(_ path: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }

    func contents(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    func message(_ body: () throws -> Void) -> String {
        do { try body(); return "no error" } catch { return (error as? TensorError)?.message ?? "\(error)" }
    }

    /// Foundation's path splitting trapped (SIGILL) on one-character names.
    func testOneCharacterNamesInTheWorkingDirectory() throws {
        let previous = FileManager.default.currentDirectoryPath
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(dir))
        defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
        for name in ["a", "b.", "é"] {
            try AtomicFile.write("\(name)!", to: name, op: "save")
            XCTAssertEqual(contents(dir + "/" + name), "\(name)!")
        }
        XCTAssertEqual(entries(dir), ["a", "b.", "é"])
    }

    func testReplacesAWholeFileAndKeepsItsPermissions() throws {
        let path = dir + "/f.txt"
        try AtomicFile.write("first version, long", to: path, op: "save")
        XCTAssertEqual(chmod(path, 0o640), 0)
        try AtomicFile.write("second", to: path, op: "save")
        XCTAssertEqual(contents(path), "second")
        var st = stat()
        XCTAssertEqual(stat(path, &st), 0)
        XCTAssertEqual(st.st_mode & 0o777, 0o640)
        XCTAssertEqual(entries(dir), ["f.txt"])
    }

    /// The link stays a link; the file it points to (through a chain, relative and absolute,
    /// or not yet existing) gets the bytes; the temporary file was made in the target's directory.
    func testSymbolicLinksAreFollowed() throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: true)
        try "old".write(toFile: dir + "/sub/target.npy", atomically: false, encoding: .utf8)
        XCTAssertEqual(symlink("sub/target.npy", dir + "/link1"), 0)
        XCTAssertEqual(symlink(dir + "/link1", dir + "/link2"), 0)
        try AtomicFile.write("new", to: dir + "/link2", op: "save")
        XCTAssertEqual(contents(dir + "/sub/target.npy"), "new")
        XCTAssertEqual(try fm.destinationOfSymbolicLink(atPath: dir + "/link1"), "sub/target.npy")
        XCTAssertEqual(try fm.destinationOfSymbolicLink(atPath: dir + "/link2"), dir + "/link1")
        XCTAssertEqual(entries(dir + "/sub"), ["target.npy"])
        // A dangling link: the file it names is created.
        XCTAssertEqual(symlink("sub/later.txt", dir + "/dangling"), 0)
        try AtomicFile.write("made", to: dir + "/dangling", op: "save")
        XCTAssertEqual(contents(dir + "/sub/later.txt"), "made")
        XCTAssertEqual(try fm.destinationOfSymbolicLink(atPath: dir + "/dangling"), "sub/later.txt")
        // A loop is an error, not a hang.
        XCTAssertEqual(symlink(dir + "/loopB", dir + "/loopA"), 0)
        XCTAssertEqual(symlink(dir + "/loopA", dir + "/loopB"), 0)
        XCTAssertEqual(message { try AtomicFile.write("x", to: self.dir + "/loopA", op: "save") },
                       "save: cannot write '\(dir!)/loopA' (too many levels of symbolic links)")
    }

    /// Devices are written in place: /dev/full reports the full disk and stays a device.
    func testDevicesAreWrittenDirectly() throws {
        XCTAssertEqual(message { try AtomicFile.write("x", to: "/dev/full", op: "save") },
                       "save: cannot write '/dev/full' (no space left on device)")
        var st = stat()
        XCTAssertEqual(stat("/dev/full", &st), 0)
        XCTAssertEqual(st.st_mode & S_IFMT, S_IFCHR)
        try AtomicFile.write("into the void", to: "/dev/null", op: "save")
        XCTAssertEqual(stat("/dev/null", &st), 0)
        XCTAssertEqual(st.st_mode & S_IFMT, S_IFCHR)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/dev/.full.tmp-\(getpid())"))
    }

    func testAFIFOIsWrittenDirectly() throws {
        let fifo = dir + "/pipe"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        final class Received: @unchecked Sendable { var bytes: [UInt8] = [] }
        let received = Received()
        let reader = Thread {
            let fd = open(fifo, O_RDONLY)
            var buffer = [UInt8](repeating: 0, count: 256)
            while fd >= 0 {
                let n = read(fd, &buffer, buffer.count)
                if n <= 0 { break }
                received.bytes += buffer[0..<n]
            }
            close(fd)
        }
        reader.start()
        try AtomicFile.write("through the pipe", to: fifo, op: "save")
        while !reader.isFinished { usleep(1000) }
        XCTAssertEqual(String(decoding: received.bytes, as: UTF8.self), "through the pipe")
        var st = stat()
        XCTAssertEqual(lstat(fifo, &st), 0)
        XCTAssertEqual(st.st_mode & S_IFMT, S_IFIFO)
        XCTAssertEqual(entries(dir), ["pipe"])
    }

    func testBadTargetsAreClearErrorsAndWriteNothing() throws {
        XCTAssertEqual(message { try AtomicFile.write("x", to: self.dir + "/ab\0cd.npy", op: "save") },
                       "save: the file name '\(dir!)/ab\\0cd.npy' contains a NUL byte")
        XCTAssertEqual(message { try AtomicFile.write("x", to: self.dir!, op: "save") },
                       "save: cannot write '\(dir!)' (is a directory)")
        XCTAssertEqual(message { try AtomicFile.write("x", to: self.dir + "/no/such/f", op: "save") },
                       "save: cannot write '\(dir!)/no/such/f' (no such file or directory)")
        XCTAssertEqual(message { try AtomicFile.write("x", to: "", op: "save") }, "save: the file name is empty")
        XCTAssertEqual(message { try AtomicFile.checkWritable(self.dir!, op: "log") },
                       "log: cannot write '\(dir!)' (is a directory)")
        XCTAssertEqual(entries(dir), [])
    }

    func testAnAbandonedWriterLeavesNothing() throws {
        let path = dir + "/log.csv"
        var writer: AtomicFile.Writer? = try AtomicFile.Writer(path: path, op: "log")
        try writer!.append("partial")
        XCTAssertEqual(entries(dir), [".log.csv.tmp-\(getpid())"])
        writer = nil
        XCTAssertEqual(entries(dir), [])
    }

    /// A real full file system (a 64 KiB tmpfs, mounted when running as root): the error names
    /// the cause, and neither the target nor a temporary file remains.
    func testAFullDiskIsAnErrorAndLeavesNoTemporaryFile() throws {
        let mountPoint = dir + "/small"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        guard mount("tmpfs", mountPoint, "tmpfs", 0, "size=64k") == 0 else {
            throw XCTSkip("cannot mount a small tmpfs here (\(String(cString: strerror(errno))))")
        }
        defer { umount(mountPoint) }
        let big = [UInt8](repeating: 7, count: 200_000)
        XCTAssertEqual(message { try AtomicFile.write(big, to: mountPoint + "/big.npy", op: "save") },
                       "save: cannot write '\(mountPoint)/big.npy' (no space left on device)")
        XCTAssertEqual(entries(mountPoint), [])
        // The old file survives a failed replacement.
        try AtomicFile.write("small", to: mountPoint + "/keep.txt", op: "save")
        XCTAssertThrowsError(try AtomicFile.write(big, to: mountPoint + "/keep.txt", op: "save"))
        XCTAssertEqual(contents(mountPoint + "/keep.txt"), "small")
        XCTAssertEqual(entries(mountPoint), ["keep.txt"])
    }
}

/// FileAccess's policy (the sandbox's hook) sees the path a link leads to, not only its name.
final class AtomicFilePolicyTests: XCTestCase {
    func testThePolicySeesTheLinksTarget() throws {
        let dir = NSTemporaryDirectory() + "dynlua-policy-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir + "/inside", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir); FileAccess.policy = nil }
        XCTAssertEqual(symlink(dir + "/outside.txt", dir + "/inside/link"), 0)
        FileAccess.policy = { path, _ in path.hasPrefix(dir + "/inside/") ? nil : "'\(path)' is outside the allowed directories" }
        XCTAssertThrowsError(try AtomicFile.write("x", to: dir + "/inside/link", op: "save")) {
            XCTAssertEqual(($0 as? TensorError)?.message, "save: '\(dir)/outside.txt' is outside the allowed directories")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/outside.txt"))
        try AtomicFile.write("x", to: dir + "/inside/plain", op: "save")
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/inside/plain"))
    }
}
