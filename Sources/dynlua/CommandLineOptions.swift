/// The command line of `dynlua`, parsed as Lua's own `lua` parses it:
/// options first (run in order), then the script and its arguments.
struct CommandLineOptions {
    enum Action: Equatable {
        case execute(String)                        // -e stat
        case require(module: String, global: String) // -l mod, -l g=mod
        case warnings                               // -W
    }

    var actions: [Action] = []
    var interactive = false      // -i
    var showVersion = false      // -v (also implied by -i)
    var showHelp = false         // -h
    var ignoreEnvironment = false  // -E
    var allowBytecode = false    // --bytecode
    var sandbox = false          // --sandbox
    var allowedDirectories: [String] = []  // --allow DIR (with --sandbox)
    var script: String?          // the script's path; nil with none or with standard input
    var scriptFromStdin = false  // the script is "-"
    var scriptIndex = 0          // position of the script in the arguments (0 with no script)
    var maxMemory: Int?          // --max-memory SIZE, in bytes
    var sweepResult: String?     // --sweep-result FILE (hidden: how `dynlua sweep` gets a point's results)

    var hasScript: Bool { script != nil || scriptFromStdin }
    var hasExecute: Bool { actions.contains { if case .execute = $0 { return true } else { return false } } }

    /// Parses `args` (args[0] is the program name). Throws a message for bad usage.
    static func parse(_ args: [String]) throws -> CommandLineOptions {
        var o = CommandLineOptions()
        var i = 1
        var afterDashes = false
        while i < args.count {
            let a = args[i]
            if a == "--" { i += 1; afterDashes = true; break }
            if a == "-" || !a.hasPrefix("-") { break }
            // A long option's value: "--name=value", or the next argument.
            let (name, inlineValue) = splitLongOption(a)
            var tookValue = false
            func value() throws -> String {
                tookValue = true
                if let inlineValue { return inlineValue }
                // As in lua, an option's argument may not look like an option.
                guard i + 1 < args.count, !args[i + 1].hasPrefix("-") else { throw UsageError("'\(name)' needs argument") }
                i += 1
                return args[i]
            }
            // To add an option: a case here (call value() for its argument) and a line in `help`.
            switch name {
            case "-i": o.interactive = true; o.showVersion = true
            case "-v", "--version": o.showVersion = true
            case "-h", "--help": o.showHelp = true
            case "-E": o.ignoreEnvironment = true
            case "-W": o.actions.append(.warnings)
            case "-e", "-l": o.actions.append(try action(name, value()))
            case "--bytecode": o.allowBytecode = true
            case "--sandbox": o.sandbox = true
            case "--allow": o.allowedDirectories.append(try value())
            case "--max-memory": o.maxMemory = try memorySize(value())
            case "--sweep-result": o.sweepResult = try value()
            default:
                guard a.hasPrefix("-e") || a.hasPrefix("-l"), !a.hasPrefix("--") else {
                    throw UsageError("unrecognized option '\(a)'")
                }
                o.actions.append(try action(String(a.prefix(2)), String(a.dropFirst(2))))
            }
            if inlineValue != nil && !tookValue { throw UsageError("'\(name)' takes no value") }
            i += 1
        }
        if o.sandbox && o.allowBytecode { throw UsageError("'--bytecode' cannot be used with '--sandbox'") }
        if !o.sandbox && !o.allowedDirectories.isEmpty { throw UsageError("'--allow' needs '--sandbox'") }
        if o.sweepResult != nil && i >= args.count { throw UsageError("'--sweep-result' needs a script") }
        if i < args.count {
            o.scriptIndex = i
            // As in lua: "-" is standard input, unless it comes after "--".
            if args[i] == "-" && !afterDashes { o.scriptFromStdin = true } else { o.script = args[i] }
        }
        return o
    }

    /// "--name=value" -> ("--name", "value"); anything else -> (itself, nil).
    private static func splitLongOption(_ a: String) -> (String, String?) {
        guard a.hasPrefix("--"), let eq = a.firstIndex(of: "=") else { return (a, nil) }
        return (String(a[..<eq]), String(a[a.index(after: eq)...]))
    }

    private static func memorySize(_ text: String) throws -> Int {
        guard let bytes = MemorySize.parse(text) else {
            throw UsageError("bad '--max-memory' size '\(text)' (expected e.g. 512M or 2G)")
        }
        return bytes
    }

    private static func action(_ option: String, _ value: String) throws -> Action {
        if option == "-e" { return .execute(value) }
        // -l g=mod stores require("mod") in g; -l mod stores it in mod (minus any "-suffix").
        if let eq = value.firstIndex(of: "=") {
            let global = String(value[..<eq]), module = String(value[value.index(after: eq)...])
            guard !global.isEmpty, !module.isEmpty else { throw UsageError("bad '-l' argument '\(value)'") }
            return .require(module: module, global: global)
        }
        guard !value.isEmpty else { throw UsageError("'-l' needs argument") }
        return .require(module: value, global: String(value.prefix { $0 != "-" }))
    }

    static let help = """
    usage: dynlua [options] [script [args]]
           dynlua sweep script name=v1,v2 name=a..b ... [--seeds N] [--jobs J] [--shard K/N] [--out FILE]
           dynlua sweep --report FILE... [--by A,T] [--metric NAME] [--svg PATH]
    Available options are:
      -e stat   execute string 'stat'
      -i        enter interactive mode after executing 'script'
      -l mod    require library 'mod' into global 'mod'
      -l g=mod  require library 'mod' into global 'g'
      -v        show version information
      -E        ignore environment variables
      -W        turn warnings on
      -h        show this help
      --        stop handling options
      -         stop handling options and execute stdin
      --sandbox        for scripts from others: files only in the working directory and the
                       --allow directories; no programs, native modules or bytecode
      --allow DIR      with --sandbox: also allow files under DIR (repeatable)
      --bytecode       let load, loadfile, dofile, require and scripts take binary chunks
      --max-memory SIZE
                       limit tensors, models and Lua's heap together (e.g. 512M, 2G)
    With no script, dynlua starts an interactive session when standard input is a terminal and
    runs standard input otherwise. The script's arguments are in the table 'arg' and in '...'.
    All dynlua modules (tensor, nn, schedule, optim, data, train, plot, analysis, sys, autograd) are globals.
    'dynlua sweep -h' describes parameter sweeps (a script named 'sweep': 'dynlua ./sweep').
    """
}

struct UsageError: Error { let message: String; init(_ m: String) { message = m } }
