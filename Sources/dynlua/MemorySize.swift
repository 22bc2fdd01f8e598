/// Sizes on the command line (`--max-memory 512M`): a number, optionally with a decimal part,
/// and a binary unit K, M, G or T (also written KB, KiB, ...); no unit means bytes.
enum MemorySize {
    static func parse(_ text: String) -> Int? {
        let units: [(String, Double)] = [("T", 0x1p40), ("G", 0x1p30), ("M", 0x1p20), ("K", 0x1p10)]
        var s = Substring(text.uppercased())
        if s.hasSuffix("IB") { s = s.dropLast(2) } else if s.hasSuffix("B") { s = s.dropLast() }
        var scale = 1.0
        if let (unit, factor) = units.first(where: { s.hasSuffix($0.0) }) {
            s = s.dropLast(unit.count)
            scale = factor
        } else if text.uppercased().hasSuffix("IB") {
            return nil  // "iB" needs a unit before it
        }
        guard !s.isEmpty, s.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
              let value = Double(s), value > 0 else { return nil }
        let bytes = (value * scale).rounded(.down)
        guard bytes >= 1, bytes < 0x1p62 else { return nil }
        return Int(bytes)
    }
}
