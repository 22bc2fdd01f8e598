import CLuaShim
import DynCore
import DynLua
import Foundation

// Before anything else: may re-execute dynlua on newer BLAS kernels (docs/ARCHITECTURE.md).
BLASKernelSelection.atStartup(argv: CommandLine.unsafeArgv)

/// The `dynlua` executable, modelled on Lua's `lua`: LUA_INIT, then the options (-e, -l, -W) in
/// order, then the script (or standard input), then the interactive session if asked for. Exit
/// status: 0, 1 on an error (reported as "dynlua: message" plus a traceback), 130 on Ctrl-C;
/// os.exit(n) exits n.
let version = "dynlua 0.1.0 (\(String(cString: dyn_lua_release())), OpenBLAS \(BLASInfo.version), core \(BLASInfo.core))"

/// Reports a failed chunk and returns the exit status it calls for (nil when it went well).
func failure(_ outcome: LuaHost.Outcome) -> Int32? {
    switch outcome {
    case .ok: return nil
    case .error(let m): Console.error(m); return 1
    case .interrupted(let m): Console.error(m); return 130
    }
}

func runMain() -> Int32 {
    let args = CommandLine.arguments
    // `dynlua sweep ...` is the sweep runner (docs/sweeps.md); a script named sweep: ./sweep.
    if args.count > 1 && args[1] == "sweep" { return SweepCommand.run(Array(args.dropFirst(2))) }
    let options: CommandLineOptions
    do {
        options = try CommandLineOptions.parse(args)
    } catch {
        Console.error("\((error as? UsageError)?.message ?? "\(error)")\n\(CommandLineOptions.help)")
        return 1
    }
    if options.showHelp { Console.out(CommandLineOptions.help + "\n"); return 0 }

    var settings = LuaHost.Settings(ignoreEnvironment: options.ignoreEnvironment, allowBytecode: options.allowBytecode)
    if options.sandbox {
        do {
            settings.sandbox = try SandboxPolicy(allowing: options.allowedDirectories)
        } catch {
            Console.error("\(error)")
            return 1
        }
    }

    let stdinIsTerminal = isatty(STDIN_FILENO) != 0
    // As lua: with nothing to run, a terminal gets a session (with the banner), a pipe is run.
    let nothingToRun = !options.hasScript && !options.hasExecute && !options.showVersion
    let interactive = options.interactive || (nothingToRun && stdinIsTerminal)
    if options.showVersion || interactive { Console.out(version + "\n") }

    if let bytes = options.maxMemory { LuaHost.memoryLimit = bytes }
    let host = LuaHost(settings)
    host.setArgs(all: args, scriptIndex: options.scriptIndex)
    if !options.ignoreEnvironment, let status = failure(runLuaInit(host)) { return status }
    for action in options.actions {
        switch action {
        case .execute(let code): if let status = failure(host.runString(code)) { return status }
        case .require(let module, let global): if let status = failure(host.require(module, as: global)) { return status }
        case .warnings: host.enableWarnings()
        }
    }
    if options.hasScript || (nothingToRun && !stdinIsTerminal) {
        // A named script (or "-") gets arguments; standard input run for lack of one does not.
        let keep: Int32 = options.sweepResult == nil ? 0 : 1
        let outcome = options.hasScript ? host.runScript(options.script, results: keep) : host.runFile(nil)
        if let status = failure(outcome) { return status }
        if let path = options.sweepResult {
            do { try ScriptResults.write(host.lua, to: path) } catch {
                Console.error((error as? UsageError)?.message ?? "\(error)")
                return 1
            }
        }
    }
    if interactive {
        if stdinIsTerminal && isatty(STDOUT_FILENO) != 0 {
            let repl = Repl(host: host)
            var editor = LineEditor(historyFile: HistoryFile.standard(sandboxed: options.sandbox),
                                    complete: { Completion.candidates(host.lua, before: $0) })
            repl.run(reader: &editor)
        } else {
            var reader = PlainLineReader()
            Repl(host: host).run(reader: &reader)
        }
    }
    return 0
}

exit(runMain())
