import CLua
import DynCore

/// Every Lua module of dynlua, in the order they are registered. Each becomes a global and a
/// field of the table `require "dynlua"` returns.
enum Modules {
    static let all: [(String, (Lua) -> Void)] = [
        ("tensor", TensorModule.register),
        ("nn", NNModule.register),
        ("schedule", ScheduleModule.register),
        ("optim", OptimModule.register),
        ("data", DataModule.register),
        ("train", TrainModule.register),
        ("analysis", AnalysisModule.register),
        ("plot", PlotModule.register),
        ("sys", SysModule.register),
        ("autograd", AutogradModule.register),
    ]

    static func registerAll(_ lua: Lua) {
        lua.newTable(hash: all.count)  // the "dynlua" table
        for (name, register) in all {
            register(lua)          // pushes the module table
            lua.pushValue(-1)
            lua_setglobal(lua.L, name)
            lua.setField(-2, name)
        }
        // package.loaded also holds each module, so `require "tensor"` works and Lua's error
        // messages name functions as "tensor.matmul".
        lua_getglobal(lua.L, "package")
        lua.getField(-1, "loaded")
        for (name, _) in all {
            lua.getField(-3, name)
            lua.setField(-2, name)
        }
        lua.pop(2)
        // package.loaded["dynlua"] = that table, so require returns it.
        lua_getglobal(lua.L, "package")
        lua.getField(-1, "loaded")
        lua.pushValue(-3)
        lua.setField(-2, "dynlua")
        lua.pop(3)
    }
}
