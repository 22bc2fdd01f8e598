/// Numbers as text for files that people and other programs read back (the training log).
public enum NumberText {
    /// The shortest decimal text that reads back to the same float64 ("0.34", "1e-05", "nan",
    /// "inf"), with an integral value written without a fractional part ("1", not "1.0"), which
    /// reads back the same. Swift's `description` already gives the shortest round-trip digits;
    /// "%.17g" would write 0.34 as "0.34000000000000002".
    public static func shortest(_ v: Double) -> String {
        let text = v.description
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }
}
