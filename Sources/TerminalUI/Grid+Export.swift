extension Grid {
    /// The symbols as text: one line per row joined by "\n" (no final newline).
    /// By default trailing spaces of every line are removed, which is what golden tests
    /// compare against; pass `trimTrailingSpaces: false` to keep every row `width` long.
    public func plainText(trimTrailingSpaces: Bool = true) -> String {
        (0..<height).map { y in
            let row = rowText(y)
            guard trimTrailingSpaces else { return row }
            var trimmed = Substring(row)
            while trimmed.last == " " { trimmed.removeLast() }
            return String(trimmed)
        }.joined(separator: "\n")
    }

    /// The grid as text with ANSI SGR escape codes, for export to files or `cat`.
    ///
    /// Each line starts from the default rendition, emits an SGR sequence whenever the
    /// colours or attributes change, and ends with `ESC[0m`. Colours are reduced to
    /// `colorMode`; in mono only attributes are emitted. Lines are joined by "\n".
    public func ansiText(colorMode: ColorMode) -> String {
        var lines: [String] = []
        for y in 0..<height {
            var line = ""
            var current = Cell.blank
            for x in 0..<width {
                let cell = self[x, y]
                let visible = ANSIStyle(cell: cell, mode: colorMode)
                if visible != ANSIStyle(cell: current, mode: colorMode) || x == 0 {
                    line += visible.sgr
                }
                current = cell
                line.append(cell.symbol)
            }
            lines.append(line + "\u{1B}[0m")
        }
        return lines.joined(separator: "\n")
    }
}

/// The part of a cell's look that survives a colour mode, with its SGR sequence.
struct ANSIStyle: Equatable {
    var foreground: Color
    var background: Color
    var attributes: CellAttributes
    var mode: ColorMode

    init(cell: Cell, mode: ColorMode) {
        foreground = mode == .monochrome ? .default : cell.foreground
        background = mode == .monochrome ? .default : cell.background
        attributes = cell.attributes
        self.mode = mode
    }

    /// A complete SGR sequence: reset, attributes, then foreground and background.
    var sgr: String {
        var codes = ["0"]
        if attributes.contains(.bold) { codes.append("1") }
        if attributes.contains(.dim) || isDimInEightColors { codes.append("2") }
        if attributes.contains(.underline) { codes.append("4") }
        if attributes.contains(.reverse) { codes.append("7") }
        codes += colorCodes(foreground, isBackground: false)
        codes += colorCodes(background, isBackground: true)
        return "\u{1B}[" + codes.joined(separator: ";") + "m"
    }

    /// Whether 8-colour output draws the foreground dim (a grey or a dark colour).
    private var isDimInEightColors: Bool {
        guard mode == .ansi8, case let .rgb(r, g, b) = foreground else { return false }
        return ColorQuantizer.basic8(r: r, g: g, b: b).dim
    }

    private func colorCodes(_ color: Color, isBackground: Bool) -> [String] {
        guard case let .rgb(r, g, b) = color else { return [] }
        let base = isBackground ? 40 : 30
        switch mode {
        case .monochrome:
            return []
        case .ansi8:
            return [String(base + ColorQuantizer.basic8(r: r, g: g, b: b).index)]
        case .palette256:
            return ["\(base + 8)", "5", String(ColorQuantizer.xterm256Index(r: r, g: g, b: b))]
        case .trueColor:
            return ["\(base + 8)", "2", "\(r)", "\(g)", "\(b)"]
        }
    }
}
