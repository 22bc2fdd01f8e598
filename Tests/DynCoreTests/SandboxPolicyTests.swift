import DynCore
import Foundation
import XCTest

/// What `dynlua --sandbox` allows, decided on the path a name really leads to.
final class SandboxPolicyTests: XCTestCase {
    var base: URL!  // real path: holds work/ (the working directory), allowed/, outside/
    var work: String { base.appendingPathComponent("work").path }

    override func setUpWithError() throws {
        let tmp = URL(fileURLWithPath: FileManager.default.temporaryDirectory.resolvingSymlinksInPath().path)
        base = tmp.appendingPathComponent("sandbox-policy-\(UUID().uuidString)")
        for d in ["work/sub", "allowed", "outside", "work2"] {
            try FileManager.default.createDirectory(at: base.appendingPathComponent(d), withIntermediateDirectories: true)
        }
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: base) }

    func link(_ name: String, _ target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: base.appendingPathComponent(name).path, withDestinationPath: target)
    }

    func policy() throws -> SandboxPolicy {
        try SandboxPolicy(workingDirectory: work, allowing: [base.appendingPathComponent("allowed").path])
    }

    func testRootsAreRealPaths() throws {
        try link("work-link", "work")
        let p = try SandboxPolicy(workingDirectory: base.appendingPathComponent("work-link").path,
                                  allowing: [base.path + "/allowed/../allowed", work])
        XCTAssertEqual(p.roots, [work, base.path + "/allowed"])  // resolved, duplicates dropped
    }

    func testAbsolutePathsInsideAndOutside() throws {
        let p = try policy()
        XCTAssertNil(p.refusal(work, writing: true))
        XCTAssertNil(p.refusal(work + "/sub/new.npy", writing: true))
        XCTAssertNil(p.refusal(base.path + "/allowed/x/y/z.csv", writing: false))
        XCTAssertNil(p.refusal(work + "/sub/../a.txt", writing: true))
        let roots = "\(work), \(base.path)/allowed"
        XCTAssertEqual(p.refusal(base.path + "/outside/a.txt", writing: false),
                       "'\(base.path)/outside/a.txt' is outside the directories the sandbox allows (\(roots))")
        XCTAssertNotNil(p.refusal(work + "/../outside/a.txt", writing: false))
        XCTAssertNotNil(p.refusal(work + "/sub/../../outside", writing: false))
        // A sibling whose name starts like a root is not inside it.
        XCTAssertNotNil(p.refusal(base.path + "/work2/a.txt", writing: true))
        XCTAssertNotNil(p.refusal(base.path + "/allowedx", writing: true))
        XCTAssertNotNil(p.refusal("/", writing: false))
        XCTAssertEqual(p.refusal(work + "/a\0b", writing: true), "the file name contains a NUL byte")
    }

    func testSymbolicLinksAreFollowed() throws {
        let p = try policy()
        try link("work/to-outside", "../outside")
        try link("work/to-allowed", base.path + "/allowed")
        try link("work/dangling", "../outside/not-yet.txt")
        try link("work/chain1", "chain2")
        try link("work/chain2", "sub/../to-outside")
        try link("work/inner", "sub")
        XCTAssertNil(p.refusal(work + "/inner/file.txt", writing: true))
        XCTAssertNil(p.refusal(work + "/to-allowed/file.txt", writing: true))
        XCTAssertEqual(p.refusal(work + "/dangling", writing: true),
                       "'\(work)/dangling' leads to \(base.path)/outside/not-yet.txt, which is outside the directories the sandbox allows (\(work), \(base.path)/allowed)")
        XCTAssertNotNil(p.refusal(work + "/to-outside/a.txt", writing: false))
        XCTAssertNotNil(p.refusal(work + "/chain1/a.txt", writing: false))
        // ".." after a link goes up from the link's target, as the kernel does (taken as
        // text, this path would stay in work/).
        XCTAssertNotNil(p.refusal(work + "/to-allowed/../outside/x", writing: false))
        XCTAssertNil(p.refusal(work + "/inner/../x", writing: false))
    }

    func testLinkLoopsAreRefused() throws {
        let p = try policy()
        try link("work/a", "b")
        try link("work/b", "a")
        XCTAssertEqual(p.refusal(work + "/a/x", writing: false),
                       "'\(work)/a/x' cannot be resolved (a loop of symbolic links, a path too long, or no working directory)")
    }

    /// Names are bounded as the kernel bounds them, and so is what links make of them, which
    /// keeps resolving cheap.
    func testLongNamesAreRefused() throws {
        let p = try policy()
        XCTAssertEqual(p.refusal(work + "/" + String(repeating: "a/", count: 2100), writing: false),
                       "the file name is longer than 4095 bytes")
        try link("work/long", String(repeating: "d/", count: 2000))
        let grown = work + "/long/" + String(repeating: "e/", count: 100)
        XCTAssertEqual(p.refusal(grown, writing: false),
                       "'\(grown)' cannot be resolved (a loop of symbolic links, a path too long, or no working directory)")
    }

    func testAllowingTheRootAllowsEverything() throws {
        let p = try SandboxPolicy(workingDirectory: work, allowing: ["/"])
        XCTAssertNil(p.refusal(base.path + "/outside/a.txt", writing: true))
    }

    func testMissingOrFileRoots() throws {
        XCTAssertThrowsError(try SandboxPolicy(workingDirectory: work, allowing: [base.path + "/nope"])) {
            XCTAssertEqual("\($0)", "--allow \(base.path)/nope: No such file or directory")
        }
        FileManager.default.createFile(atPath: work + "/file", contents: nil)
        XCTAssertThrowsError(try SandboxPolicy(workingDirectory: work, allowing: [work + "/file"])) {
            XCTAssertEqual("\($0)", "--allow \(work)/file: not a directory")
        }
    }
}
