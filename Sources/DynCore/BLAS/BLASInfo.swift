import COpenBLAS

/// The BLAS library in use and the kernel family it runs (sys.blas(), dynlua -v).
public enum BLASInfo {
    public static let library = "OpenBLAS"

    /// The build description, e.g. "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64".
    public static var config: String { String(cString: openblas_get_config()) }

    /// "0.3.21": the second word of the build description.
    public static var version: String {
        let words = config.split(separator: " ")
        return words.count > 1 ? String(words[1]) : ""
    }

    /// The kernel family in use, e.g. "SkylakeX".
    public static var core: String { String(cString: openblas_get_corename()) }
}
