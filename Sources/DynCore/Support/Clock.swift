import Foundation
import COpenBLAS

/// Process-level utilities: a monotonic wall clock for timing, and OpenBLAS's thread count.
public enum SystemInfo {
    /// Seconds from an arbitrary origin, monotonic, with sub-microsecond resolution.
    public static func wallClock() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    }

    public static var blasThreads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(max(1, newValue))) }
    }
}
