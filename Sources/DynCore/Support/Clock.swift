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
    }

    public static var blasThreads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(max(1, newValue))) }
    }
}
