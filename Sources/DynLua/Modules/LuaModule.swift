import CLua
import CLuaShim
import DynCore

/// The Lua side of `nn.Lambda(fn)` and `nn.Module{...}`: the `run` closure of a `CustomModule`.
/// Each forward calls the Lua function (through LuaCallback: lua_pcall) on a tape of its own,
/// with the input and the parameters tracked, and hands back the tape's pullback; the tape
/// recording around the call (an outer autograd.grad) is set aside and restored.
final class LuaLayer {
    let forward: LuaCallback
    /// nn.Module: the `self` table given to forward; parameters are set into it before each call.
    let selfTable: LuaReference?

    init(forward: LuaCallback, selfTable: LuaReference?) {
        self.forward = forward
        self.selfTable = selfTable
    }

    func run(_ m: CustomModule, _ x: Tensor) throws -> (output: Tensor, pullback: CustomModule.Pullback) {
        let tape = Tape()
        let input = tape.watch(x)
        let leaves = m.parameters.map { tape.watch($0) }
        let outer = Tape.recording
        Tape.recording = tape
        defer { Tape.recording = outer }
        let output: Tensor
        do {
            output = try forward.call(results: 1, pushArguments: { lua in
                if let selfTable {
                    selfTable.push(lua)
                    for (name, leaf) in zip(m.parameterNames, leaves) {
                        lua.push(name); lua.push(leaf); lua_rawset(lua.L, -3)
                    }
                    lua.push(input)
                    return 2
                }
                lua.push(input)
                return 1
            }) { lua -> Tensor in
                guard let t = lua.tensor(-1) else {
                    throw LuaFailure.message("\(m.name): forward must return a tensor, got a \(lua.typeName(-1))")
                }
                return t
            }
        } catch let e as LuaCallbackError {
            throw LuaCallbackError(message: "\(m.name): error in forward: \(e.message)")
        }
        let pullback: CustomModule.Pullback = { g in
            let grads = try tape.pullback(output, seed: try g.contiguous(), leaves: [input] + leaves)
            return (grads[0], Array(grads.dropFirst()))
        }
        return (output, pullback)
    }
}

extension NNModule {
    /// A layer or parameter name: letters, digits and '_', not starting with a digit.
    static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.first, !first.isNumber, s.count <= 64 else { return false }
        return s.allSatisfy { ($0.isLetter || $0.isNumber || $0 == "_") && $0.isASCII }
    }

    static func layerName(_ lua: Lua, _ o: Options, function: String, default d: String) throws -> String {
        let name = try o.string("name") ?? d
        guard isIdentifier(name) else {
            throw LuaFailure.message("\(function): option 'name' must be an identifier (letters, digits and '_', at most 64), got '\(name.prefix(64))'")
        }
        return name
    }

    /// nn.Lambda(fn [, {name = "Lambda"}]).
    static let lambda: LuaBody = { guarded($0) { lua in
        guard lua.isFunction(1) else { throw lua.typeError(1, expected: "function") }
        let name = try layerName(lua, try Options(lua, 2, function: "nn.Lambda", allowed: ["name"]), function: "nn.Lambda", default: "Lambda")
        let layer = LuaLayer(forward: LuaCallback(lua, function: 1, name: "\(name) (nn.Lambda)"), selfTable: nil)
        lua.push(try CustomModule(name: name, parameters: [], run: layer.run)); return 1
    } }

    /// nn.Module{name = "Module", parameters = {w = tensor, ...}, forward = function(self, x) ... end, ...}.
    /// The parameters are copied, in the order of their names; every other field of the
    /// definition is kept in `self` for forward to read.
    static let customModule: LuaBody = { guarded($0) { lua in
        let f = "nn.Module"
        guard lua.isTable(1), lua.ensureStack(8) else { throw lua.typeError(1, expected: "definition table") }
        var name = "Module"
        if lua.getField(1, "name") != LUA_TNIL {
            guard let s = lua.string(-1), lua.isString(-1), isIdentifier(s) else {
                throw LuaFailure.message("\(f): field 'name' must be an identifier (letters, digits and '_', at most 64)")
            }
            name = s
        }
        lua.pop()
        guard lua.getField(1, "forward") == LUA_TFUNCTION else {
            throw LuaFailure.message("\(f): field 'forward' must be a function(self, x) returning the output, got \(lua.typeName(-1))")
        }
        let forward = LuaCallback(lua, function: -1, name: "\(name) (nn.Module)")
        lua.pop()
        var parameters: [(String, Tensor)] = []
        let reserved = Set(NNModuleMethods.methods.map { $0.0 } + ["name", "forward", "parameters"])
        switch lua.getField(1, "parameters") {
        case LUA_TNIL: break
        case LUA_TTABLE:
            let table = lua.absolute(-1)
            lua.pushNil()
            while lua_next(lua.L, table) != 0 {
                guard lua.isString(-2), let key = lua.string(-2), isIdentifier(key) else {
                    throw LuaFailure.message("\(f): parameter names must be identifiers (letters, digits and '_', at most 64), got a \(lua.typeName(-2)) key")
                }
                guard !reserved.contains(key), !key.hasPrefix("grad_") else {
                    throw LuaFailure.message("\(f): parameter name '\(key)' is taken (a module method or field name); choose another")
                }
                guard let t = lua.tensor(-1) else {
                    throw LuaFailure.message("\(f): parameter '\(key)' must be a tensor, got \(lua.typeName(-1))")
                }
                parameters.append((key, try t.clone()))
                lua.pop()
            }
        default:
            throw LuaFailure.message("\(f): field 'parameters' must be a table of named tensors, got \(lua.typeName(-1))")
        }
        lua.pop()
        guard parameters.count <= 10_000 else { throw LuaFailure.message("\(f): more than 10000 parameters") }
        parameters.sort { $0.0 < $1.0 }
        // self: a shallow copy of the definition (its own fields stay the script's).
        lua.newTable()
        let selfIndex = lua.top
        lua.pushNil()
        while lua_next(lua.L, 1) != 0 {
            lua.pushValue(-2); lua.pushValue(-2); lua_rawset(lua.L, selfIndex)
            lua.pop()
        }
        let layer = LuaLayer(forward: forward, selfTable: LuaReference(lua, selfIndex))
        let module = try CustomModule(name: name, parameters: parameters, run: layer.run)
        module.scriptState = layer
        lua.push(module); return 1
    } }

    /// nn.load(path [, {custom = {Name = constructor, ...}}]): a constructor returns a fresh
    /// module of that name (nn.Module or nn.Lambda) whose parameters receive the saved values.
    static let load: LuaBody = { guarded($0) { lua in
        let path = try lua.checkString(1)
        let o = try Options(lua, 2, function: "nn.load", allowed: ["custom"])
        guard o.has("custom") else { lua.push(try Checkpoint.load(path: path)); return 1 }
        o.push("custom")
        let table = lua.absolute(-1)
        guard lua.isTable(table) else {
            throw LuaFailure.message("nn.load: option 'custom' must be a table of constructors {Name = function() ... end}, got \(lua.typeName(table))")
        }
        let resolve: Checkpoint.CustomLayers = { name in
            guard lua.ensureStack(4) else { throw LuaFailure.message("nn.load: Lua stack overflow") }
            lua.getField(table, name)
            defer { lua.pop() }
            if lua.isNoneOrNil(-1) { return nil }
            guard lua.isFunction(-1) else {
                throw LuaFailure.message("nn.load: custom.\(name) must be a function returning the layer, got \(lua.typeName(-1))")
            }
            let made = try LuaCallback(lua, function: -1, name: "nn.load: custom.\(name)").call(results: 1, pushArguments: { _ in 0 }) { lua in
                lua.module(-1)
            }
            guard let m = made as? CustomModule, m.name == name else {
                throw LuaFailure.message("nn.load: custom.\(name) must return an nn.Module or nn.Lambda named '\(name)', got \(made.map { $0.description.split(separator: "\n")[0] } .map(String.init) ?? "no module")")
            }
            return m
        }
        lua.push(try Checkpoint.load(path: path, custom: resolve)); return 1
    } }
}
