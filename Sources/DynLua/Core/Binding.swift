import CLua
import CLuaShim
import DynCore

/// A Lua-callable body: runs in Swift, never raises, returns a result count or an error sentinel.
public typealias LuaBody = @convention(c) (OpaquePointer?) -> Int32

/// An error a binding reports; the C trampoline raises it once the Swift frames are gone.
public enum LuaFailure: Error {
    /// "bad argument #n to 'f' (message)", with the function name filled in by Lua.
    case argument(Int32, String)
    /// A plain error message; Lua prefixes the caller's position.
    case message(String)
}

/// Runs a binding body, turning thrown errors into the sentinel protocol of lua_shim.h.
/// Every Lua-callable Swift function is `{ guarded($0) { lua in ... } }`.
@inline(__always)
public func guarded(_ L: OpaquePointer?, _ body: (Lua) throws -> Int32) -> Int32 {
    let lua = Lua(L!)
    do {
        return try body(lua)
    } catch let failure as LuaFailure {
        switch failure {
        case .argument(let arg, let message):
            lua.push(message)
            return DYN_ARGERROR_BASE - arg
        case .message(let message):
            lua.push(message)
            return DYN_ERROR
        }
    } catch let e as TensorError {
        lua.push(e.message)
        return DYN_ERROR
    } catch {
        lua.push(String(describing: error))
        return DYN_ERROR
    }
}

extension Lua {
    /// "tensor expected, got number" for argument i.
    public func typeError(_ i: Int32, expected: String) -> LuaFailure {
        .argument(i, "\(expected) expected, got \(typeName(i))")
    }

    public func checkNumber(_ i: Int32) throws -> Double {
        guard let v = number(i) else { throw typeError(i, expected: "number") }
        return v
    }

    public func checkInteger(_ i: Int32) throws -> Int {
        guard let v = number(i) else { throw typeError(i, expected: "number") }
        guard let n = integer(i) else { throw LuaFailure.argument(i, "number has no integer representation (got \(v))") }
        return n
    }

    public func checkString(_ i: Int32) throws -> String {
        guard let s = string(i) else { throw typeError(i, expected: "string") }
        return s
    }

    public func optInteger(_ i: Int32, default d: Int) throws -> Int {
        isNoneOrNil(i) ? d : try checkInteger(i)
    }

    public func optNumber(_ i: Int32, default d: Double) throws -> Double {
        isNoneOrNil(i) ? d : try checkNumber(i)
    }

    public func checkTable(_ i: Int32) throws {
        guard isTable(i) else { throw typeError(i, expected: "table") }
    }

    /// A dtype name argument ("float64" or "float32"), defaulting to float64.
    public func optDType(_ i: Int32) throws -> DType {
        if isNoneOrNil(i) { return .float64 }
        guard let s = string(i) else { throw typeError(i, expected: "dtype string") }
        guard let d = DType(rawValue: s) else {
            throw LuaFailure.argument(i, "unknown dtype '\(s)' (expected 'float64' or 'float32')")
        }
        return d
    }
}
