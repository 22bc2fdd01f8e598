/// The file family of models and training checkpoints: line-based text whose last line is
///
///     checksum fnv1a64 <16 hex digits>
///
/// the 64-bit FNV-1a hash of every line before it, each ended by "\n" (so a copy converted to
/// CRLF line ends still matches). Any single changed byte changes the hash (each FNV-1a step is
/// a bijection of the state), so a damaged file is rejected instead of loaded with a wrong value.
enum ChecksummedText {
    static let keyword = "checksum fnv1a64"

    static func fnv1a64<S: Sequence>(_ bytes: S, from start: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 where S.Element == UInt8 {
        var h = start
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return h
    }

    /// `text` (ending in "\n") followed by its checksum line.
    static func seal(_ text: String) -> String {
        text + "\(keyword) \(hex(fnv1a64(text.utf8)))\n"
    }

    static func hex(_ h: UInt64) -> String {
        let digits = String(h, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// The lines of `text` without their "\n" or "\r\n" ends (a final line end adds no line).
    static func lines(_ text: String) -> [Substring] {
        // Split on bytes: Swift reads "\r\n" as one Character, which a "\n" split would miss.
        var lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { Substring($0) }
        if lines.last == "" { lines.removeLast() }
        return lines.map { $0.utf8.last == UInt8(ascii: "\r") ? Substring($0.utf8.dropLast()) : $0 }
    }

    /// Checks the checksum line (the last line that is not blank) against the lines before it
    /// and returns those lines; the error says what is wrong for `describe`'s message.
    static func verify(_ lines: [Substring], fail: (String) -> Error) throws -> [Substring] {
        var end = lines.count
        while end > 0 && lines[end - 1].isEmpty { end -= 1 }
        guard end > 0, lines[end - 1].hasPrefix(keyword + " ") else {
            throw fail("the checksum line is missing (the file is truncated or was edited)")
        }
        let stored = lines[end - 1].dropFirst(keyword.count + 1)
        guard stored.utf8.count == 16, stored.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }, let expected = UInt64(stored, radix: 16) else {
            throw fail("the checksum line is damaged")
        }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for line in lines[0..<(end - 1)] {
            h = fnv1a64(line.utf8, from: h)
            h = fnv1a64(CollectionOfOne(UInt8(ascii: "\n")), from: h)
        }
        guard h == expected else {
            throw fail("the checksum does not match (the file is damaged or was edited)")
        }
        return Array(lines[0..<(end - 1)])
    }
}

extension ChecksummedText {
    static func hexByte(_ b: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(b >> 4)], digits[Int(b & 15)]])
    }

    /// Bytes from lowercase hex digits, nil for anything else.
    static func bytes(fromHex text: Substring) -> [UInt8]? {
        let u = Array(text.utf8)
        guard u.count % 2 == 0 else { return nil }
        func digit(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: return c - 48
            case 97...102: return c - 87
            default: return nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(u.count / 2)
        for k in stride(from: 0, to: u.count, by: 2) {
            guard let hi = digit(u[k]), let lo = digit(u[k + 1]) else { return nil }
            out.append(hi << 4 | lo)
        }
        return out
    }
}
