import CLua
import CLuaShim
import DynLua
import Foundation

/// The `dynlua` executable, modelled on Lua's `lua`: run a script, `-e` code, standard input,
/// or an interactive session. Errors print "dynlua: message" and a traceback and exit 1;
/// an interrupt (Ctrl-C) exits 130.
let version = "dynlua 0.1.0 (Lua 5.4, OpenBLAS)"

func report(_ outcome: LuaHost.Outcome) -> Int32? {
    switch outcome {
    case .ok: return nil
    case .error(let m): FileHandle.standardError.write(Data("dynlua: \(m)\n".utf8)); return 1
    case .interrupted(let m): FileHandle.standardError.write(Data("dynlua: \(m)\n".utf8)); return 130
    }
}

func runMain() -> Int32 {
    let args = CommandLine.arguments
    let options: CommandLineOptions
    do {
        options = try CommandLineOptions.parse(args)
    } catch let e as UsageError {
        FileHandle.standardError.write(Data("dynlua: \(e.message)\n\(CommandLineOptions.help)\n".utf8))
        return 1
    } catch { return 1 }

    if options.showHelp { print(CommandLineOptions.help); return 0 }
    if options.showVersion { print(version) }

    let host = LuaHost()
    host.setArgs(all: args, scriptIndex: options.scriptIndex)
    for action in options.actions {
        let outcome: LuaHost.Outcome
        switch action {
        case .execute(let code): outcome = host.runString(code)
        case .require(let name):
            outcome = host.runString("\(name) = require(\"\(name.replacingOccurrences(of: "\"", with: "\\\""))\")", name: "=(command line)")
        }
        if let code = report(outcome) { return code }
    }
    if let script = options.script {
        if let code = report(host.runFile(script == "-" ? nil : script, args: options.scriptArgs)) { return code }
    }
    let stdinIsTerminal = isatty(0) != 0
    if options.interactive || (options.script == nil && options.actions.isEmpty && !options.showVersion && stdinIsTerminal) {
        if !options.showVersion { print(version) }
        Repl(host: host).run()
    } else if options.script == nil && options.actions.isEmpty && !options.showVersion {
        if let code = report(host.runFile(nil)) { return code }
    }
    return 0
}

exit(runMain())
