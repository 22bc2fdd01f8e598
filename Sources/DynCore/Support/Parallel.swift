import CKernels
import COpenBLAS
import Foundation

/// The thread pool of the convolution and pooling layers (`sys.threads`). Work is cut into
/// tasks whose number and contents do not depend on the thread count, and every sum across
/// tasks is taken in task order afterwards: results are the same bits on any number of threads.
public enum Parallel {
    /// The count `sys.threads(n)` asked for; nil until then (all cores, started at first use).
    nonisolated(unsafe) private static var requested: Int? = nil
    nonisolated(unsafe) private static var started = false

    /// The CPUs this process may run on.
    public static var cores: Int { max(ProcessInfo.processInfo.activeProcessorCount, 1) }

    /// The threads the layers use (all cores by default).
    public static var threads: Int { started ? Int(dyn_pool_threads()) : requested ?? cores }

    /// Sets the thread count, reduced to the number of cores (more threads only contend), and
    /// returns the count in effect. Each thread beyond the first runs BLAS products of its own
    /// and so needs OpenBLAS's work buffer: under an address-space limit (`ulimit -v`) that
    /// cannot hold them this throws, as sys.blas_threads does.
    @discardableResult
    public static func setThreads(_ n: Int) throws -> Int {
        guard n >= 1 else { throw TensorError("sys.threads: thread count must be >= 1, got \(n)") }
        let wanted = min(n, cores)
        let extra = wanted - threads
        if extra > 0, let room = SystemInfo.addressSpaceLeft(), extra > room / SystemInfo.addressSpacePerThread {
            throw TensorError("sys.threads: \(wanted) threads need about \(byteText(extra * SystemInfo.addressSpacePerThread)) more address space, and the limit (ulimit -v) leaves \(byteText(room))")
        }
        requested = wanted
        started = true
        return Int(dyn_pool_set_threads(wanted))
    }

    /// The default start: all cores, or one thread when the address space has no room.
    private static func start() {
        started = true
        let n = requested ?? cores
        if n > 1, let room = SystemInfo.addressSpaceLeft(), room < (n - 1) * SystemInfo.addressSpacePerThread {
            _ = dyn_pool_set_threads(1)
            return
        }
        _ = dyn_pool_set_threads(n)
    }

    /// Calls body(task, worker) for task in 0 ..< tasks on the pool's threads; worker (below
    /// `threads`) names the calling thread, for scratch buffers. body must not throw or touch
    /// Lua, and its result must depend on `task` only. BLAS products inside run on one thread
    /// each: OpenBLAS's own threads stay out (no oversubscription, and the same bits whatever
    /// sys.blas_threads is).
    public static func run(_ tasks: Int, _ body: (_ task: Int, _ worker: Int) -> Void) {
        guard tasks > 0 else { return }
        if !started { start() }
        let blas = SystemInfo.blasThreads
        if blas > 1 { SystemInfo.blasThreads = 1 }
        defer { if blas > 1 { SystemInfo.blasThreads = blas } }
        withoutActuallyEscaping(body) { f in
            var f = f
            withUnsafeMutablePointer(to: &f) { context in
                dyn_pool_run(tasks, { context, task, worker in
                    context!.assumingMemoryBound(to: ((Int, Int) -> Void).self).pointee(task, worker)
                }, context)
            }
        }
    }

    /// Element-wise work on `count` elements: body(start, length) over runs of 65,536 on the
    /// pool when there are at least a million (an image batch's activations), else one call on
    /// this thread (the small networks' path stays as it was). Each element's result depends on
    /// that element only, so the bits never depend on the threads.
    public static func forElements(_ count: Int, _ body: (_ start: Int, _ length: Int) -> Void) {
        guard count >= 1 << 20 else { body(0, count); return }
        forRuns(count, of: 1 << 16, body)
    }

    /// body(start, length) over the consecutive runs of `run` items that cover 0 ..< count,
    /// one task each: the runs are cut by the counts only, never by the threads.
    public static func forRuns(_ count: Int, of run: Int, _ body: (_ start: Int, _ length: Int) -> Void) {
        Parallel.run((count + run - 1) / run) { task, _ in body(task * run, min(run, count - task * run)) }
    }
}
