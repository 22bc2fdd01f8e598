/// A key press at the interactive prompt, decoded from the bytes a terminal sends in raw mode
/// (control characters, UTF-8 text, and the VT100/xterm escape sequences for arrows and the
/// Home/End/Delete keys).
enum Key: Equatable {
    case insert(Unicode.Scalar)
    case enter, backspace, delete
    case left, right, home, end, up, down
    case killToEnd    // Ctrl-K
    case killToStart  // Ctrl-U
    case interrupt    // Ctrl-C
    case endOfFile    // Ctrl-D
    case tab          // complete the name before the cursor
    case reverseSearch  // Ctrl-R
    case abort        // Ctrl-G: leave the history search, back to the line as it was
    case ignored      // anything else (unknown sequences, other control keys)

    /// Reads one key from `nextByte` (nil at end of input).
    static func read(_ nextByte: () -> UInt8?) -> Key? {
        guard let b = nextByte() else { return nil }
        switch b {
        case 0x01: return .home         // Ctrl-A
        case 0x02: return .left         // Ctrl-B
        case 0x03: return .interrupt
        case 0x04: return .endOfFile
        case 0x05: return .end          // Ctrl-E
        case 0x06: return .right        // Ctrl-F
        case 0x08, 0x7f: return .backspace
        case 0x07: return .abort
        case 0x09: return .tab
        case 0x0a, 0x0d: return .enter
        case 0x0b: return .killToEnd
        case 0x0e: return .down         // Ctrl-N
        case 0x10: return .up           // Ctrl-P
        case 0x12: return .reverseSearch
        case 0x15: return .killToStart
        case 0x1b: return escapeSequence(nextByte)
        case 0x20..<0x7f: return .insert(Unicode.Scalar(b))
        case 0xc0...0xf7: return utf8(lead: b, nextByte)
        default: return .ignored
        }
    }

    /// ESC [ ... final  or  ESC O final.
    private static func escapeSequence(_ nextByte: () -> UInt8?) -> Key {
        switch nextByte() {
        case UInt8(ascii: "["):
            var parameter: [UInt8] = []
            while let c = nextByte() {
                if (0x30...0x3f).contains(c) { parameter.append(c); continue }
                return c == UInt8(ascii: "~") ? tildeKey(String(decoding: parameter, as: UTF8.self))
                                               : finalKey(c)
            }
            return .ignored
        case UInt8(ascii: "O"):
            return nextByte().map(finalKey) ?? .ignored
        default:
            return .ignored
        }
    }

    private static func finalKey(_ c: UInt8) -> Key {
        switch c {
        case UInt8(ascii: "A"): return .up
        case UInt8(ascii: "B"): return .down
        case UInt8(ascii: "C"): return .right
        case UInt8(ascii: "D"): return .left
        case UInt8(ascii: "H"): return .home
        case UInt8(ascii: "F"): return .end
        default: return .ignored
        }
    }

    private static func tildeKey(_ parameter: String) -> Key {
        switch parameter {
        case "1", "7": return .home
        case "4", "8": return .end
        case "3": return .delete
        default: return .ignored
        }
    }

    private static func utf8(lead: UInt8, _ nextByte: () -> UInt8?) -> Key {
        let count = lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : 1
        var bytes = [lead]
        for _ in 0..<count {
            guard let c = nextByte(), c & 0xc0 == 0x80 else { return .ignored }
            bytes.append(c)
        }
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        if case .scalarValue(let s) = decoder.decode(&iterator) { return .insert(s) }
        return .ignored
    }
}
