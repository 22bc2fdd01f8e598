import Foundation

/// Raw mode on the terminal behind a file descriptor: bytes arrive one key at a time, without
/// echo and without turning Ctrl-C into SIGINT. Output processing stays on ("\n" still moves to
/// the start of the next line). `restore` puts back the settings found at `enable`.
struct RawTerminal {
    let fd: Int32
    private var saved = termios()
    private(set) var isRaw = false

    init(fd: Int32) { self.fd = fd }

    mutating func enable() -> Bool {
        guard !isRaw, tcgetattr(fd, &saved) == 0 else { return isRaw }
        var raw = saved
        raw.c_iflag &= ~tcflag_t(BRKINT | ICRNL | INPCK | ISTRIP | IXON)
        raw.c_lflag &= ~tcflag_t(ECHO | ICANON | IEXTEN | ISIG)
        raw.c_cflag |= tcflag_t(CS8)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        // TCSADRAIN, not TCSAFLUSH: keys typed (or pasted) ahead are kept.
        isRaw = tcsetattr(fd, TCSADRAIN, &raw) == 0
        return isRaw
    }

    mutating func restore() {
        guard isRaw else { return }
        tcsetattr(fd, TCSADRAIN, &saved)
        isRaw = false
    }

    /// The terminal's width in columns (80 when it cannot tell).
    var columns: Int {
        var size = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }
}
