import DynCore

/// Every nn module (layers and containers) is one userdata type with this metatable, so any
/// binding that takes "a model" accepts all of them. The metatable is registered by the `nn`
/// module (NNModuleMethods).
public enum ModuleBinding {
    public static let metatable = "dynlua.module"
}

extension Lua {
    /// Pushes m; the same module object is always the same Lua value while Lua holds it.
    public func push(_ m: Module) { StableUserdata.push(self, m, metatable: ModuleBinding.metatable) }

    public func module(_ i: Int32) -> Module? {
        if case .object(let m) = Userdata.get(self, i, metatable: ModuleBinding.metatable, as: Module.self) { return m }
        return nil
    }

    public func checkModule(_ i: Int32) throws -> Module {
        switch Userdata.get(self, i, metatable: ModuleBinding.metatable, as: Module.self) {
        case .object(let m): return m
        case .closed: throw LuaFailure.argument(i, "module has been closed")
        case .otherType: throw typeError(i, expected: "module")
        }
    }
}
