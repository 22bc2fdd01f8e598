import CLuaShim
import CMemoryBudget
import XCTest
@testable import DynCore
@testable import DynLua

/// The memory budget (`dynlua --max-memory`): tensor storage and Lua's heap in one count
/// against one limit, and Lua's allocator never failing while a Swift body runs.
final class MemoryLimitTests: XCTestCase {
    override func tearDown() { dyn_budget_set_limit(0) }

    /// Lua's heap is in the budget, and closing the state gives every byte back.
    func testLuaHeapIsAccounted() {
        let before = dyn_budget_used()
        do {
            let host = LuaHost()
            let withState = dyn_budget_used()
            XCTAssertGreaterThan(withState, before + 20_000, "the state's own heap (standard libraries, modules)")
            XCTAssertEqual(host.runString("keep = string.rep('x', 1000000)"), .ok)
            XCTAssertGreaterThanOrEqual(dyn_budget_used(), withState + 1_000_000)
            XCTAssertEqual(host.runString("keep = tensor.zeros(1000)"), .ok)
        }
        XCTAssertEqual(dyn_budget_used(), before, "everything returned when the state closes")
    }

    /// Past the limit a tensor allocation is a Lua error naming the limit and the allocation,
    /// after the collector had its chance: garbage alone never hits the limit.
    func testTensorsPastTheLimit() {
        let host = LuaHost()
        dyn_budget_set_limit(dyn_budget_used() + (64 << 20))
        // 100 x 8 MB of temporaries under a 64 MB margin: collected, not refused.
        XCTAssertEqual(host.runString("for i = 1, 100 do local t = tensor.ones(1000000); assert(t:sum() == 1e6) end"), .ok)
        guard case .error(let message) = host.runString("local t = tensor.zeros(10000000)") else {
            return XCTFail("expected an error")
        }
        let limit = byteText(Int(dyn_budget_limit()))
        XCTAssertTrue(message.contains("memory limit of \(limit) exceeded allocating 80000000 bytes (76.3 MiB) for a float64 tensor of shape (10000000) ("), message)
        XCTAssertEqual(host.runString("local t = tensor.zeros(100); assert(t:sum() == 0)"), .ok, "still usable")
    }

    /// The collection a limit triggers can run finalizers inside a binding call that is drawing
    /// random numbers; a finalizer drawing too must not be a simultaneous access to the global
    /// generator (exclusivity checking traps on one).
    func testFinalizersMayDrawDuringAReclaim() {
        let host = LuaHost()
        XCTAssertEqual(host.runString("collectgarbage('stop'); junk = tensor.zeros(1000000)"), .ok)
        dyn_budget_set_limit(dyn_budget_used() + (10 << 20) - 8_000_000)
        XCTAssertEqual(host.runString("""
            drawn = 0
            junk = nil
            setmetatable({}, {__gc = function() drawn = drawn + tensor.rand(1):sum() end})
            local t = tensor.rand(500000)
            assert(drawn > 0 and drawn < 1, 'the finalizer ran during the reclaim: ' .. drawn)
            local m = nn.Linear(10, 10)
            """), .ok)
    }

    /// train.evaluate on images goes in chunks by default: 2,000 images through an 8-channel
    /// conv layer (50 MB of activations in one pass) fit under a 30 MB margin; in one pass
    /// (batch_size = all rows) they do not.
    func testEvaluateOnImagesIsChunked() {
        let host = LuaHost()
        XCTAssertEqual(host.runString("""
            X = tensor.rand(2000, 1, 28, 28, "float32")
            y = {}
            for i = 1, 2000 do y[i] = i % 3 + 1 end
            m = nn.Sequential(nn.Conv2d(1, 8, 3, { padding = 1 }), nn.ReLU(), nn.AvgPool2d(4), nn.Flatten(),
                              nn.Linear(8 * 7 * 7, 3)):to("float32")
            collectgarbage()
            """), .ok)
        dyn_budget_set_limit(dyn_budget_used() + (30 << 20))
        XCTAssertEqual(host.runString("local l, a = train.evaluate(m, nn.CrossEntropyLoss(), X, y); assert(a >= 0 and a <= 1)"), .ok)
        guard case .error(let message) = host.runString("train.evaluate(m, nn.CrossEntropyLoss(), X, y, { batch_size = 2000 })") else {
            return XCTFail("expected an error")
        }
        XCTAssertTrue(message.contains("memory limit of"), message)
    }

    /// Past the limit Lua's own allocations fail in Lua code, as an ordinary error.
    func testLuaHeapPastTheLimit() {
        let host = LuaHost()
        dyn_budget_set_limit(dyn_budget_used() + (4 << 20))
        XCTAssertEqual(host.runString("""
            local ok, err = pcall(string.rep, 'x', 8000000)
            assert(not ok and err == 'not enough memory', tostring(err))
            """), .ok)
    }

    /// A binding body that pushes a large result past the limit is not cut short by a longjmp
    /// over its Swift frames: its allocations go through, and the next Lua allocation fails.
    func testSwiftBodyAllocationsNeverFail() {
        let host = LuaHost()
        XCTAssertEqual(host.runString("big = tensor.arange(200000)"), .ok)
        dyn_budget_set_limit(dyn_budget_used() + (64 << 10))
        // totable builds a 200000-entry table (3 MB) inside the Swift body.
        XCTAssertEqual(host.runString("""
            local t = big:totable()
            assert(#t == 200000 and t[200000] == 199999)
            local ok, err = pcall(string.rep, 'x', 1000000)
            assert(not ok and err == 'not enough memory', tostring(err))
            """), .ok)
        XCTAssertGreaterThan(dyn_budget_used(), dyn_budget_limit(), "the body went past the limit")
    }
}
