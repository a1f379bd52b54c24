/// The characters widgets draw with. ``unicode`` needs a UTF-8 locale; ``ascii`` is the
/// fallback for any other locale (chosen by ``forLocale(isUTF8:)``). Every glyph is one column.
public struct GlyphSet: Hashable, Sendable {
    /// How a ``LineChart`` packs dots into a cell.
    public enum DotStyle: Hashable, Sendable {
        /// Braille patterns U+2800…U+28FF: 2 columns × 4 rows of dots per cell.
        case braille
        /// One column × 2 rows per cell: `'` upper, `.` lower, `:` both.
        case asciiPairs
    }

    public var name: String
    // Borders.
    public var topLeft: Character
    public var topRight: Character
    public var bottomLeft: Character
    public var bottomRight: Character
    public var horizontal: Character
    public var vertical: Character
    /// Bar fill levels 0…8 in eighths of a cell, growing from the bottom (index 0 is empty).
    public var lowerEighths: [Character]
    /// Tips of downward bars, 0…8 eighths filled from the top. Nil means "draw
    /// `lowerEighths[8 − k]` in reverse video", because Unicode lacks most upper-eighth blocks.
    public var upperEighths: [Character]?
    /// Eight sparkline levels, lowest first.
    public var sparkLevels: [Character]
    /// Shades for mono heatmaps, lightest (empty) first; on a signed scale, the positive side.
    public var shades: [Character]
    /// The negative side of a signed scale in mono (same length as ``shades``, empty first),
    /// so that −x and +x never look alike without colour.
    public var negativeShades: [Character]
    /// The border of the focused pane (top-left, top-right, bottom-left, bottom-right,
    /// horizontal, vertical): heavy lines, so focus shows without colour.
    public var focusedBorder: [Character]
    /// The upper half block used by ``HalfBlockMatrix`` (foreground = upper, background = lower).
    public var upperHalf: Character
    /// Whether ``upperHalf`` really covers exactly the upper half of a cell. Without it a
    /// matrix shows one blended colour per cell.
    public var hasHalfBlocks: Bool
    /// A full cell, used by progress bars and legends.
    public var full: Character
    /// The empty part of a progress bar.
    public var progressEmpty: Character
    public var dotStyle: DotStyle
    /// The multiplication sign in "80×24".
    public var times: Character
    /// Marks truncated text.
    public var ellipsis: Character

    /// Box drawing, eighth blocks, Braille.
    public static let unicode = GlyphSet(
        name: "unicode",
        topLeft: "┌", topRight: "┐", bottomLeft: "└", bottomRight: "┘",
        horizontal: "─", vertical: "│",
        lowerEighths: [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"],
        upperEighths: nil,
        sparkLevels: ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"],
        shades: [" ", "░", "▒", "▓", "█"],
        negativeShades: [" ", "-", "=", "≡", "■"],
        focusedBorder: ["┏", "┓", "┗", "┛", "━", "┃"],
        upperHalf: "▀", hasHalfBlocks: true, full: "█", progressEmpty: "░",
        dotStyle: .braille, times: "×", ellipsis: "…")

    /// Seven-bit ASCII only, for terminals whose locale is not UTF-8.
    public static let ascii = GlyphSet(
        name: "ascii",
        topLeft: "+", topRight: "+", bottomLeft: "+", bottomRight: "+",
        horizontal: "-", vertical: "|",
        lowerEighths: [" ", " ", "_", "_", "=", "=", "#", "#", "#"],
        upperEighths: [" ", " ", "'", "'", "=", "=", "#", "#", "#"],
        sparkLevels: ["_", ".", "-", ":", "=", "+", "*", "#"],
        shades: [" ", ".", ":", "#"],
        negativeShades: [" ", "-", "=", "%"],
        focusedBorder: ["#", "#", "#", "#", "=", "#"],
        upperHalf: "#", hasHalfBlocks: false, full: "#", progressEmpty: ".",
        dotStyle: .asciiPairs, times: "x", ellipsis: "~")

    /// ``unicode`` for a UTF-8 locale, ``ascii`` otherwise.
    public static func forLocale(isUTF8: Bool) -> GlyphSet { isUTF8 ? .unicode : .ascii }

    /// Whether a locale codeset name (`nl_langinfo(CODESET)`) is UTF-8, e.g. "UTF-8", "utf8".
    public static func isUTF8(codeset: String) -> Bool {
        let normalized = codeset.lowercased().filter { $0 != "-" && $0 != "_" }
        return normalized == "utf8"
    }

    /// The glyph for a signed value −1…1 in mono: ``negativeShades`` below zero, ``shades``
    /// above, by magnitude (NaN → empty).
    public func signedShade(_ v: Double) -> Character {
        guard !v.isNaN else { return shades[0] }
        let ramp = v < 0 ? negativeShades : shades
        let magnitude = min(abs(v), 1)
        return ramp[min(Int(magnitude * Double(ramp.count - 1) + 0.5), ramp.count - 1)]
    }

    /// The shade glyph for a position 0…1 on a scale (NaN → empty).
    public func shade(_ t: Double) -> Character {
        guard !t.isNaN else { return shades[0] }
        let clamped = min(max(t, 0), 1)
        return shades[min(Int(clamped * Double(shades.count - 1) + 0.5), shades.count - 1)]
    }
}
