/// The command line of `dynlua`, parsed as Lua's own `lua` parses it:
/// options first, then the script and its arguments.
struct CommandLineOptions {
    enum Action: Equatable {
        case execute(String)  // -e stat
        case require(String)  // -l name
    }

    var actions: [Action] = []
    var interactive = false      // -i
    var showVersion = false      // -v
    var showHelp = false         // -h
    var script: String?          // nil: none; "-": standard input
    var scriptIndex = 0          // position of the script in the argument list
    var scriptArgs: [String] = []

    /// Parses `args` (args[0] is the program name). Throws a message for bad usage.
    static func parse(_ args: [String]) throws -> CommandLineOptions {
        var o = CommandLineOptions()
        var i = 1
        while i < args.count {
            let a = args[i]
            if a == "--" { i += 1; break }
            if a == "-" || !a.hasPrefix("-") { break }
            switch a {
            case "-i": o.interactive = true
            case "-v", "--version": o.showVersion = true
            case "-h", "--help": o.showHelp = true
            case "-e", "-l":
                guard i + 1 < args.count else { throw UsageError("'\(a)' needs an argument") }
                o.actions.append(a == "-e" ? .execute(args[i + 1]) : .require(args[i + 1]))
                i += 1
            default:
                if a.hasPrefix("-e") { o.actions.append(.execute(String(a.dropFirst(2)))) }
                else if a.hasPrefix("-l") { o.actions.append(.require(String(a.dropFirst(2)))) }
                else { throw UsageError("unrecognized option '\(a)'") }
            }
            i += 1
        }
        if i < args.count {
            o.script = args[i]
            o.scriptIndex = i
            o.scriptArgs = Array(args[(i + 1)...])
        } else {
            o.scriptIndex = args.count
        }
        return o
    }

    static let help = """
    usage: dynlua [options] [script [args]]
    Available options are:
      -e stat   execute string 'stat'
      -i        enter interactive mode after executing 'script'
      -l name   require library 'name' into global 'name'
      -v        show version information
      -h        show this help
      --        stop handling options
      -         stop handling options and execute stdin
    With no script and standard input a terminal, dynlua starts an interactive session.
    All dynlua modules (tensor, nn, schedule, optim, data, train, plot, analysis) are globals.
    """
}

struct UsageError: Error { let message: String; init(_ m: String) { message = m } }
