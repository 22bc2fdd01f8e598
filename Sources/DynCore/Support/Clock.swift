import Foundation
import COpenBLAS

/// Process-level utilities: a monotonic wall clock for timing, and OpenBLAS's thread count.
public enum SystemInfo {
    /// Seconds from an arbitrary origin, monotonic, with sub-microsecond resolution.
    public static func wallClock() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    }

    /// One BLAS thread unless OPENBLAS_NUM_THREADS says otherwise: the paper's networks are
    /// small, and on them OpenBLAS's extra threads only spin (measured: the same speed on the
    /// Fig. 4 run, twice the CPU time). Large models can ask for more with sys.blas_threads(n).
    public static func useSingleThreadedBLASByDefault() {
        if ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] == nil { blasThreads = 1 }
        if !blasReady { warmUpBLAS() }
    }

    public static var blasThreads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(min(max(1, newValue), Int(Int32.max)))) }
    }

    /// Address space that each BLAS thread beyond those running takes: its stack (8 MiB) and
    /// OpenBLAS's work buffer (128 MiB), measured at 136 MiB on x86-64, plus a margin.
    static let addressSpacePerThread = 160 << 20

    /// Sets the BLAS thread count to `n`, reduced to the CPUs OpenBLAS sees (more threads only
    /// contend), and returns the count in effect. Under an address-space limit (`ulimit -v`)
    /// that cannot hold the new threads it throws instead: OpenBLAS would wait forever for
    /// threads it failed to create.
    public static func setBLASThreads(_ n: Int) throws -> Int {
        guard n >= 1 else { throw TensorError("sys.blas_threads: thread count must be >= 1, got \(n)") }
        let wanted = min(n, max(Int(openblas_get_num_procs()), 1))
        let extra = wanted - blasThreads
        if extra > 0, let room = addressSpaceLeft(), extra > room / addressSpacePerThread {
            throw TensorError("sys.blas_threads: \(wanted) threads need about \(byteText(extra * addressSpacePerThread)) more address space, and the limit (ulimit -v) leaves \(byteText(room))")
        }
        blasThreads = wanted
        warmUpBLAS()
        return blasThreads
    }

    /// Whether OpenBLAS has its work buffers. It allocates them at its first product and, when
    /// the address space is short, retries forever; so dynlua makes a first product itself
    /// while there is room (at start-up and after a thread change, else at the first product)
    /// and refuses BLAS products (`checkBLASReady`) while there is none.
    nonisolated(unsafe) public private(set) static var blasReady = false

    public static func warmUpBLAS() {
        let threads = max(blasThreads, 1)
        if let room = addressSpaceLeft(), room < threads * addressSpacePerThread { return }
        // Large enough for OpenBLAS to use every thread (and so give each its buffer).
        let n: Int32 = threads > 1 ? 256 : 64
        var a = [Double](repeating: 1, count: Int(n * n)), c = a
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, &a, n, &a, n, 0, &c, n)
        blasReady = true
    }

    static func checkBLASReady() throws {
        if !blasReady { warmUpBLAS() }
        guard blasReady else {
            throw TensorError("matmul: OpenBLAS needs about \(byteText(addressSpacePerThread)) of address space for its work buffer, more than the limit (ulimit -v) leaves")
        }
    }

    /// Bytes of address space left under RLIMIT_AS, nil when there is no limit.
    static func addressSpaceLeft() -> Int? {
        var limit = rlimit()
        guard getrlimit(RLIMIT_AS_VALUE, &limit) == 0, limit.rlim_cur != rlim_t.max else { return nil }
        // /proc/self/statm: the first field is the size of the address space in pages.
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let pages = statm.split(separator: " ").first.flatMap({ Int($0) }) else { return nil }
        let used = pages * Int(sysconf(Int32(_SC_PAGESIZE)))
        let cap = limit.rlim_cur > UInt(Int.max) ? Int.max : Int(limit.rlim_cur)
        return max(cap - used, 0)
    }
}

#if os(Linux)
private let RLIMIT_AS_VALUE = Int32(RLIMIT_AS.rawValue)
#else
private let RLIMIT_AS_VALUE = RLIMIT_AS
#endif
