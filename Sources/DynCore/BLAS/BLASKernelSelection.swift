import CBLASStart
import Foundation

/// Runs dynlua on the newest OpenBLAS kernel family the processor supports, when OpenBLAS chose
/// an older one and the newer one passes the self-test (see docs/ARCHITECTURE.md, "BLAS kernels").
///
/// OpenBLAS reads OPENBLAS_CORETYPE once, in its library constructor, before `main`. The first
/// time, the choice is made here: the family is tested in a child process of the same binary (a
/// kernel may crash), the verdict cached, and dynlua executes itself again with the variable set
/// and a marker saying that dynlua set it; the new process removes both before any script runs,
/// so a script and the programs it starts see the user's environment. Once a "use" verdict is
/// cached, the executable's pre-initializer (Sources/CPreinit) applies it before OpenBLAS's
/// constructor runs, without an exec and without touching the environment.
public enum BLASKernelSelection {
    static let coreType = DYN_BLAS_CORETYPE
    static let chosenMarker = DYN_BLAS_CHOSEN
    static let selfTestFamily = DYN_BLAS_SELF_TEST
    /// For tests only: pretend OpenBLAS chose this family (to run the whole path on a machine
    /// where its own choice is already the best).
    public static let testPretendDefault = DYN_BLAS_TEST_PRETEND_DEFAULT
    /// For tests only: "fail" makes the self-test see a wrong result, "crash" kills the child.
    public static let testBreakSelfTest = "DYNLUA_TEST_BLAS_SELF_TEST"

    /// Called first in `main`, with its arguments. Returns when the kernels in use are the ones
    /// to keep; does not return in the self-test child (exits) or when re-executing.
    public static func atStartup(argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) {
        if let family = variable(selfTestFamily) { exit(runSelfTestChild(family: family)) }
        if variable(chosenMarker) != nil {  // set with OPENBLAS_CORETYPE by the exec below
            unsetenv(chosenMarker)
            unsetenv(coreType)
            return
        }
        if variable(coreType) != nil { return }  // the user's choice always wins
        let chosen = variable(testPretendDefault) ?? BLASInfo.core
        guard BLASCoreChoice.mightUpgrade(from: chosen),
              let family = BLASCoreChoice.upgrade(from: chosen, cpu: .current()),
              family.lowercased() != BLASInfo.core.lowercased(),  // the pre-initializer applied it
              passes(family) else { return }
        setenv(coreType, family, 1)
        setenv(chosenMarker, "1", 1)
        execv("/proc/self/exe", argv)
        // Only reached when the exec failed: go on with OpenBLAS's own choice.
        unsetenv(chosenMarker)
        unsetenv(coreType)
    }

    static func variable(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }

    /// Whether `family` is to run: the cached verdict, or the self-test's, cached for next time.
    static func passes(_ family: String) -> Bool {
        let cache = BLASVerdictCache.standard, key = BLASVerdictCache.currentKey()
        if let cache, let key, let known = cache.verdict(for: key) {
            // "use" is found here only when the pre-initializer could not apply it (an OpenBLAS
            // without gotoblas_dynamic_init): the exec below does.
            return known == .use(family)
        }
        guard let (passed, detail) = spawnSelfTest(family: family) else { return false }
        if !passed {
            fputs("dynlua: OpenBLAS's \(family) kernels failed a self-test (\(detail)); keeping \(BLASInfo.core)\n", stderr)
        }
        if let cache, let key {
            cache.record(passed ? .use(family) : .keep, detail: "\(family) failed: \(detail)", for: key)
        }
        return passed
    }

    /// Runs this binary as the self-test child under `family`: (passed, why not), or nil when no
    /// child could be started (nothing is cached then).
    static func spawnSelfTest(family: String) -> (Bool, String)? {
        var pipe: [Int32] = [0, 0]
        guard Foundation.pipe(&pipe) == 0 else { return nil }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, pipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, pipe[1], 2)
        posix_spawn_file_actions_addclose(&actions, pipe[0])
        posix_spawn_file_actions_addclose(&actions, pipe[1])
        // The child's environment: ours, with the family to test and no crash report (a
        // kernel's crash is an answer here, not a bug to trace).
        let settings = [coreType: family, selfTestFamily: family, "SWIFT_BACKTRACE": "enable=no"]
        var environment = ProcessInfo.processInfo.environment.filter { settings[$0.key] == nil }
        environment.merge(settings) { $1 }
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("dynlua-blas-self-test"), nil]
        // Default handling of every signal in the child, whatever this process ignores: a crash
        // or the self-test's alarm must end it.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/proc/self/exe", &actions, &attributes, argv, envp)
        (argv + envp).forEach { free($0) }
        close(pipe[1])
        defer { close(pipe[0]) }
        guard spawned == 0 else { return nil }
        var output = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 512)
        while true {
            let n = read(pipe[0], &buffer, buffer.count)
            if n > 0 { output += buffer[0..<n]; continue }
            if n < 0 && errno == EINTR { continue }
            break
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let said = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let signal = status & 0x7F, code = (status >> 8) & 0xFF
        if signal != 0 { return (false, "killed by signal \(signal)") }
        if code == 0 { return (true, "") }
        return (false, said.isEmpty ? "exit status \(code)" : said)
    }

    /// The child's work: exit status 0 when OpenBLAS runs `family` and its products are right.
    static func runSelfTestChild(family: String) -> Int32 {
        alarm(60)  // a kernel that hangs fails too (SIGALRM ends the process)
        SystemInfo.blasThreads = 1  // dynlua's default
        guard BLASInfo.core.lowercased() == family.lowercased() else {
            fputs("OpenBLAS runs \(BLASInfo.core), not \(family)\n", stderr)
            return 1
        }
        var float = BLASSelfTest.openBLASFloat
        switch variable(testBreakSelfTest) {
        case "crash": UnsafeMutablePointer<Int>(bitPattern: 8)!.pointee = 0  // as a kernel's bad access
        case "fail":
            let gemm = float.gemm
            float.gemm = { ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc in
                gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
                c[0] += 1
            }
        default: break
        }
        if let failure = BLASSelfTest.check("s", float) ?? BLASSelfTest.check("d", BLASSelfTest.openBLASDouble) {
            fputs(failure + "\n", stderr)
            return 1
        }
        return 0
    }
}
