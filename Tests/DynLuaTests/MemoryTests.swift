import Foundation
import XCTest
@testable import DynCore
@testable import DynLua

/// Tensor memory is invisible to Lua's collector unless the binding reports it; these tests
/// check that a script making temporaries in a loop runs in bounded memory, measured with the
/// allocator's own count and with the process's peak resident set.
final class MemoryTests: XCTestCase {
    /// Peak resident set size of this process, in bytes (ru_maxrss is in kilobytes on Linux).
    func peakRSS() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024
    }

    func testAMillionTemporariesStayBounded() {
        let host = LuaHost()
        let baseline = Storage.liveBytes
        Storage.resetPeak()
        let started = Date()
        // 2 temporaries of 8000 bytes per iteration: 16 GB in all if nothing were collected.
        let outcome = host.runString("""
            local a, b = tensor.ones(1000), tensor.arange(1000)
            local c
            for i = 1, 1000000 do c = a + b * 0.5 end
            assert(c:sum() == 1000 + 0.5 * 999 * 1000 / 2, "wrong result " .. c:sum())
            """)
        let seconds = Date().timeIntervalSince(started)
        XCTAssertEqual(outcome, .ok)
        let peak = Storage.peakBytes - baseline
        XCTAssertLessThan(peak, 64 << 20, "peak tensor memory \(peak) bytes")
        XCTAssertGreaterThanOrEqual(peak, 3 * 8000, "the loop did allocate (a, b and temporaries)")
        XCTAssertLessThan(peakRSS(), 256 << 20, "peak resident set")
        print("MemoryTests: 1e6 iterations in \(String(format: "%.1f", seconds)) s, peak tensor memory \(peak >> 10) KB, peak RSS \(peakRSS() >> 20) MB")
    }

    /// A loss and a layer written in Lua record a tape per step: the tapes and the tensors of
    /// past steps are freed, so the peak tensor memory of 600 steps is that of 100.
    func testLuaLossAndModuleTapesDoNotGrow() {
        func peak(steps: Int) -> Int {
            let host = LuaHost()
            let baseline = Storage.liveBytes
            Storage.resetPeak()
            XCTAssertEqual(host.runString("""
                local X, y = data.spiral{ classes = 3, per_class = 20 }
                local model = nn.Sequential(nn.Module{ parameters = { w = tensor.randn(2, 16) }, forward = function(self, x) return x:matmul(self.w) end },
                                            nn.Lambda(function(x) return x:tanh() end), nn.Linear(16, 3))
                local loss = nn.Loss(function(o, l, w) return -(o:log_softmax(2):gather(2, l:view(-1, 1)):view(-1) * w:index(1, l)):mean() end)
                train.fit{ model = model, loss = loss, optimizer = optim.SGD(model, { lr = 0.1 }), x = X, y = y,
                           steps = \(steps), weights = schedule.triangular{ classes = 3, amplitude = 5, period = 50 }, every = 1000, progress = false }
                """), .ok)
            return Storage.peakBytes - baseline
        }
        let short = peak(steps: 100), long = peak(steps: 600)
        XCTAssertGreaterThan(short, 10_000, "the run did allocate")
        XCTAssertLessThan(long, short + 64 << 10, "peak tensor memory \(long) bytes after 600 steps, \(short) after 100")
    }

    /// Models (and the optimizer state and buffers they bring) are reported to the collector
    /// like tensors: 60 layers of 4 MB each (weight and gradient) made in a loop stay bounded.
    func testModulesAreCollected() {
        let host = LuaHost()
        let baseline = Storage.liveBytes
        Storage.resetPeak()
        XCTAssertEqual(host.runString("""
            local x = tensor.ones(1, 500)
            for i = 1, 60 do
              local m = nn.Sequential(nn.Linear(500, 500))
              local o = optim.Adam(m, {lr = 0.001})
              m:zero_grad(); m:backward(x, m:forward(x)); o:step()
            end
            """), .ok)
        let peak = Storage.peakBytes - baseline
        XCTAssertGreaterThan(peak, 8 << 20, "a layer with its Adam state is 8 MB")
        XCTAssertLessThan(peak, 100 << 20, "peak storage \(peak >> 20) MB (480 MB if nothing were collected)")
    }

    /// Loaded checkpoints too: 40 loads of a 200x200 layer (640 KB with its gradient).
    func testLoadedCheckpointsAreCollected() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("memory-\(UUID().uuidString).model").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let host = LuaHost()
        XCTAssertEqual(host.runString("nn.Linear(200, 200):save('\(path)')"), .ok)
        let baseline = Storage.liveBytes
        Storage.resetPeak()
        XCTAssertEqual(host.runString("for i = 1, 40 do local m = nn.load('\(path)') end"), .ok)
        let peak = Storage.peakBytes - baseline
        print("MemoryTests: 40 loads, peak storage \(peak >> 10) KB")
        XCTAssertGreaterThanOrEqual(peak, 640_000, "one loaded layer")
        XCTAssertLessThan(peak, 8 << 20, "peak storage \(peak >> 10) KB (25 MB if nothing were collected)")
    }

    /// `local t <close>` frees the storage at the end of the block, with no collection.
    func testCloseFreesAtOnce() {
        let host = LuaHost()
        XCTAssertEqual(host.runString("collectgarbage('stop')"), .ok)
        let baseline = Storage.liveBytes
        XCTAssertEqual(host.runString("big = tensor.zeros(1000, 1000)"), .ok)
        XCTAssertEqual(Storage.liveBytes - baseline, 8_000_000)
        XCTAssertEqual(host.runString("do local t <close> = big; big = nil end"), .ok)
        XCTAssertEqual(Storage.liveBytes, baseline, "freed by __close, the collector being stopped")
        // A view keeps its storage alive until the view is closed too.
        XCTAssertEqual(host.runString("base = tensor.zeros(500, 100); view = base:t()"), .ok)
        XCTAssertEqual(host.runString("do local b <close> = base end"), .ok)
        XCTAssertEqual(Storage.liveBytes - baseline, 400_000, "the view still holds the storage")
        XCTAssertEqual(host.runString("assert(view:sum() == 0); do local v <close> = view end"), .ok)
        XCTAssertEqual(Storage.liveBytes, baseline)
    }

    /// Collecting a state frees everything its tensors held.
    func testClosingTheStateFreesTensors() {
        let baseline = Storage.liveBytes
        do {
            let host = LuaHost()
            XCTAssertEqual(host.runString("collectgarbage('stop'); keep = {} for i = 1, 10 do keep[i] = tensor.ones(100) end"), .ok)
            XCTAssertEqual(Storage.liveBytes - baseline, 8000)
        }
        XCTAssertEqual(Storage.liveBytes, baseline)
    }
}
