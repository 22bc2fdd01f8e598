import Foundation

/// Output through C's stdio, the same buffers Lua's `print` and `io.write` use, so that prompts,
/// results and script output come out in order even when stdout is a pipe.
enum Console {
    static func out(_ s: String) {
        fputs(s, stdout)
        fflush(stdout)
    }

    /// "dynlua: message" on stderr, as `lua` reports errors; without the program name in the
    /// interactive session, as `lua` does there.
    static func error(_ message: String, named: Bool = true) {
        fflush(stdout)
        fputs((named ? "dynlua: " : "") + message + "\n", stderr)
        fflush(stderr)
    }
}
