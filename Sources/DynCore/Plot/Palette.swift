/// Colours that stay distinguishable for colour-blind readers (Okabe and Ito, 2008), one per
/// class or series index, repeating after eight; lighter tints paint decision regions.
public enum Palette {
    public static let colors = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]

    public static func color(_ index: Int) -> String { colors[((index % colors.count) + colors.count) % colors.count] }

    /// The colour mixed with white (amount 0: the colour, 1: white).
    public static func tint(_ index: Int, amount: Double) -> String {
        let hex = color(index).dropFirst()
        var rgb: [Int] = []
        var i = hex.startIndex
        for _ in 0..<3 {
            let j = hex.index(i, offsetBy: 2)
            rgb.append(Int(hex[i..<j], radix: 16)!)
            i = j
        }
        let mixed = rgb.map { Int((Double($0) + (255 - Double($0)) * amount).rounded()) }
        return "#" + mixed.map { String(format: "%02X", $0) }.joined()
    }
}
