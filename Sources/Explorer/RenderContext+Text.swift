import Foundation
import TerminalUI

extension RenderContext {
    /// Whether only 7-bit text may be drawn (the ASCII glyph set of a non-UTF-8 locale).
    var isASCII: Bool { glyphs.name == GlyphSet.ascii.name }

    /// `unicode` where the locale can show it, `ascii` otherwise.
    func text(_ unicode: String, ascii: String) -> String { isASCII ? ascii : unicode }

    /// The separator between header fields.
    var separator: String { text(" · ", ascii: " | ") }

    /// "λ" or "L".
    var lambda: String { text("λ", ascii: "L") }

    /// "computing…" or "computing...".
    var computing: String { text("computing…", ascii: "computing...") }

    /// A style with a theme colour as foreground over the theme background.
    func style(_ key: ThemeKey, _ attributes: CellAttributes = []) -> Style {
        Style(foreground: theme[key], background: theme[.background], attributes: attributes)
    }
}

/// Short number texts for the panes.
enum Format {
    /// Fixed decimals, with −∞/∞/NaN spelled out.
    static func fixed(_ value: Double, _ decimals: Int) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        return String(format: "%.\(decimals)f", value)
    }

    /// `decimals` decimals, more when that shows fewer than two significant digits (0.0070
    /// at 3 decimals), and from 1e-5 down d.de-N (−2.0e-5), so a small value never reads 0.
    static func significant(_ value: Double, _ decimals: Int) -> String {
        guard value.isFinite, value != 0 else { return fixed(value, decimals) }
        let exponent = Int(floor(log10(abs(value))))
        let needed = 1 - exponent
        if needed <= decimals { return fixed(value, decimals) }
        if exponent >= -4 { return fixed(value, needed) }
        var mantissa = (value / pow(10, Double(exponent)) * 10).rounded() / 10, shown = exponent
        if abs(mantissa) >= 10 { (mantissa, shown) = (mantissa / 10, exponent + 1) }
        return String(format: "%.1f", mantissa) + "e\(shown)"
    }

    /// ``significant(_:_:)`` with an explicit sign ("+0.123").
    static func signed(_ value: Double, _ decimals: Int) -> String {
        value.isFinite && value >= 0 ? "+" + significant(value, decimals) : significant(value, decimals)
    }

    /// "91.2%".
    static func percent(_ fraction: Double) -> String { fixed(100 * fraction, 1) + "%" }
}

extension Grid {
    /// Writes `text` cut to the area's width (with the ellipsis glyph) on row `y` of `area`.
    @discardableResult
    mutating func put(line text: String, in area: Rect, row: Int, style: Style, context: RenderContext,
                      indent: Int = 0) -> Int {
        guard row >= 0, row < area.height else { return area.minX }
        let width = area.width - indent
        return put(text: NumberFormat.truncate(text, to: width, ellipsis: context.glyphs.ellipsis),
                   at: (area.minX + indent, area.minY + row), style: style, clip: area)
    }
}
