import Foundation

/// Short number labels for axes and legends.
public enum NumberFormat {
    /// Three significant digits (`%.3g`), with `inf`, `-inf` and `nan` spelled out and
    /// negative zero shown as `0`.
    public static func compact(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        if value == 0 { return "0" }
        return String(format: "%.3g", value)
    }

    /// `text` cut to `width` columns, ending in `ellipsis` when it was cut.
    public static func truncate(_ text: String, to width: Int, ellipsis: Character) -> String {
        guard width > 0 else { return "" }
        guard text.count > width else { return text }
        return String(text.prefix(width - 1)) + String(ellipsis)
    }
}
