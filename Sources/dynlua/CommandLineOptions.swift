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
    var script: String?          // the script's path; nil with none or with standard input
    var scriptFromStdin = false  // the script is "-"
    var scriptIndex = 0          // position of the script in the arguments (0 with no script)
    var scriptArgs: [String] = []
    var maxMemory: Int?          // --max-memory SIZE, in bytes

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
            switch a {
            case "-i": o.interactive = true; o.showVersion = true
            case "-v", "--version": o.showVersion = true
            case "-h", "--help": o.showHelp = true
            case "-W": o.actions.append(.warnings)
            case "--max-memory":
                guard i + 1 < args.count else { throw UsageError("'--max-memory' needs argument") }
                o.maxMemory = try memorySize(args[i + 1])
                i += 1
            case _ where a.hasPrefix("--max-memory="):
                o.maxMemory = try memorySize(String(a.dropFirst("--max-memory=".count)))
            case "-e", "-l":
                guard i + 1 < args.count else { throw UsageError("'\(a)' needs argument") }
                o.actions.append(try action(a, args[i + 1]))
                i += 1
            default:
                guard a.hasPrefix("-e") || a.hasPrefix("-l") else { throw UsageError("unrecognized option '\(a)'") }
                o.actions.append(try action(String(a.prefix(2)), String(a.dropFirst(2))))
            }
            i += 1
        }
        if i < args.count {
            o.scriptIndex = i
            o.scriptArgs = Array(args[(i + 1)...])
            // As in lua: "-" is standard input, unless it comes after "--".
            if args[i] == "-" && !afterDashes { o.scriptFromStdin = true } else { o.script = args[i] }
        }
        return o
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
    Available options are:
      -e stat   execute string 'stat'
      -i        enter interactive mode after executing 'script'
      -l mod    require library 'mod' into global 'mod'
      -l g=mod  require library 'mod' into global 'g'
      -v        show version information
      -W        turn warnings on
      -h        show this help
      --max-memory SIZE  limit tensors, models and Lua's heap together to SIZE (e.g. 512M, 2G)
      --        stop handling options
      -         stop handling options and execute stdin
    With no script, dynlua starts an interactive session when standard input is a terminal and
    runs standard input otherwise. The script's arguments are in the table 'arg' and in '...'.
    All dynlua modules (tensor, nn, schedule, optim, data, train, plot, analysis) are globals.
    """
}

struct UsageError: Error { let message: String; init(_ m: String) { message = m } }
