import Foundation

/// Short number labels for axes and legends.
public enum NumberFormat {
    /// Three significant digits (`%.3g`), with `inf`, `-inf` and `nan` spelled out and
    /// negative zero shown as `0`; whole numbers up to 9999 in full (4690), larger ones with
    /// k / M / G (46.9k), and exponents without padding (2e-5, not 2e-05).
    public static func compact(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        if value == 0 { return "0" }
        let magnitude = abs(value)
        if magnitude >= 1000 && magnitude < 10_000 && value == value.rounded() { return String(Int(value)) }
        for (scale, suffix) in [(1e9, "G"), (1e6, "M"), (1e3, "k")] where magnitude >= scale && magnitude < 1000 * scale {
            return plainExponent(String(format: "%.3g", value / scale)) + suffix
        }
        return plainExponent(String(format: "%.3g", value))
    }

    /// "2e-05" → "2e-5", "1.5e+12" → "1.5e12".
    static func plainExponent(_ text: String) -> String {
        guard let e = text.firstIndex(of: "e") else { return text }
        var exponent = text[text.index(after: e)...]
        var sign = ""
        if exponent.first == "-" { sign = "-" }
        if exponent.first == "-" || exponent.first == "+" { exponent = exponent.dropFirst() }
        while exponent.count > 1 && exponent.first == "0" { exponent = exponent.dropFirst() }
        return text[..<e] + "e" + sign + exponent
    }

    /// A duration for progress lines and panes: "1h02m", "3m05s", "42s" ("--" when unknown,
    /// negative or not finite).
    public static func duration(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite, seconds >= 0 else { return "--" }
        let total = Int(seconds.rounded())
        if total >= 3600 { return String(format: "%dh%02dm", total / 3600, (total % 3600) / 60) }
        if total >= 60 { return String(format: "%dm%02ds", total / 60, total % 60) }
        return "\(total)s"
    }

    /// `text` cut to `width` columns, ending in `ellipsis` when it was cut.
    public static func truncate(_ text: String, to width: Int, ellipsis: Character) -> String {
        guard width > 0 else { return "" }
        guard text.count > width else { return text }
        return String(text.prefix(width - 1)) + String(ellipsis)
    }
}
