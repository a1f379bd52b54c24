/// How many colours the output can show. Ordered from least to most capable.
public enum ColorMode: Int, Comparable, CaseIterable, Sendable, CustomStringConvertible {
    /// No colour: attributes only; heatmaps fall back to shade glyphs.
    case monochrome = 0
    /// The eight basic ANSI colours (SGR 30–37 / 40–47).
    case ansi8 = 1
    /// The xterm 256-colour palette (SGR 38;5;n / 48;5;n).
    case palette256 = 2
    /// 24-bit colour (SGR 38;2;r;g;b / 48;2;r;g;b).
    case trueColor = 3

    public static func < (lhs: ColorMode, rhs: ColorMode) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        switch self {
        case .monochrome: "mono"
        case .ansi8: "8"
        case .palette256: "256"
        case .trueColor: "truecolor"
        }
    }

    /// Parses the names used on the command line: `truecolor`/`24bit`, `256`, `8`, `mono`.
    public init?(name: String) {
        switch name.lowercased() {
        case "truecolor", "24bit": self = .trueColor
        case "256": self = .palette256
        case "8": self = .ansi8
        case "mono", "monochrome", "none": self = .monochrome
        default: return nil
        }
    }

    /// Decides the colour mode from the environment and the terminal's colour count
    /// (ncurses `COLORS`, or 0 if unknown). Pure, so it can be tested.
    ///
    /// Rules, first match wins: a non-empty `NO_COLOR` → mono (see no-color.org);
    /// `COLORTERM` = `truecolor` or `24bit` → truecolor; `terminalColors` ≥ 256 → 256;
    /// ≥ 8 → 8; otherwise mono.
    public static func detect(environment: [String: String], terminalColors: Int) -> ColorMode {
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return .monochrome }
        if let colorTerm = environment["COLORTERM"]?.lowercased(),
           colorTerm == "truecolor" || colorTerm == "24bit" {
            return .trueColor
        }
        return drawable(terminalColors: terminalColors)
    }

    /// The richest mode a terminal description with `terminalColors` colours can draw
    /// through curses: direct colour (≥ 2²⁴ colours, e.g. `xterm-direct`) → truecolor.
    public static func drawable(terminalColors: Int) -> ColorMode {
        if terminalColors >= 1 << 24 { return .trueColor }
        if terminalColors >= 256 { return .palette256 }
        if terminalColors >= 8 { return .ansi8 }
        return .monochrome
    }
}
