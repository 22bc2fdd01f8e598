import CLua
import CLuaShim
import DynCore

/// train.fit's `checkpoint = {path =, every =}`, `resume = path`, and the hooks that save and
/// restore what only the script knows: `on_checkpoint()` returns a value saved in the file,
/// `on_resume(value)` gets it back before the first resumed step.
enum TrainCheckpointOptions {
    static func apply(_ lua: Lua, _ o: Options, to trainer: Trainer) throws {
        o.push("checkpoint")
        if !lua.isNoneOrNil(-1) {
            guard lua.isTable(-1) else {
                throw LuaFailure.message("train.fit: option 'checkpoint' must be a table {path = ..., every = ...}, got \(lua.typeName(-1))")
            }
            let c = try Options(lua, lua.top, function: "train.fit checkpoint", allowed: ["path", "every"])
            guard let path = try c.string("path") else { throw LuaFailure.message("train.fit: checkpoint option 'path' is required") }
            let every = try c.integer("every", default: 100)
            guard every >= 1 else { throw LuaFailure.message("train.fit: checkpoint option 'every' must be >= 1, got \(every)") }
            trainer.checkpoint = TrainingCheckpoint.Configuration(path: path, every: every)
        }
        trainer.resumePath = try o.string("resume")

        o.push("on_checkpoint")
        if let save = try callback(lua, "on_checkpoint") {
            trainer.onCheckpoint = {
                do {
                    return try save.call(results: 1, pushArguments: { _ in 0 }) { lua in
                        lua.isNoneOrNil(-1) ? nil : try SavedValues.read(lua, -1, what: "train.fit: on_checkpoint's result")
                    }
                } catch let e as LuaCallbackError {
                    throw LuaFailure.message("train.fit: on_checkpoint failed: \(e.message)")
                }
            }
        }
        o.push("on_resume")
        if let restore = try callback(lua, "on_resume") {
            trainer.onResume = { value in
                do {
                    try restore.call(results: 0, pushArguments: { lua in
                        if let value { SavedValues.push(lua, value) } else { lua.pushNil() }
                        return 1
                    }) { _ in }
                } catch let e as LuaCallbackError {
                    throw LuaFailure.message("train.fit: on_resume failed: \(e.message)")
                }
            }
        }
    }

    /// The function on the stack top (which stays there, keeping it alive), or nil.
    static func callback(_ lua: Lua, _ name: String) throws -> LuaCallback? {
        if lua.isNoneOrNil(-1) { return nil }
        guard lua.isFunction(-1) else {
            throw LuaFailure.message("train.fit: option '\(name)' must be a function, got \(lua.typeName(-1))")
        }
        return LuaCallback(lua, function: lua.top, name: "train.fit: \(name)")
    }
}
