import Foundation
import Testing
import TerminalUI

/// Issue 29, items 3 and 4: a signed heatmap keeps its sign in every colour mode — 256
/// colours (the quantiser), 8 colours (shade glyphs coloured by the scale end) and mono
/// (the glyph itself) — and focus and line series show without colour.
@Suite struct SignedColourTests {
    /// The cosines the heatmap must show as signed: |cos| from 0.2 to 1.
    static let magnitudes = stride(from: 0.2, through: 1.0, by: 0.05).map { $0 }

    static func isGrey(_ index: Int) -> Bool {
        if index >= 232 { return true }
        let c = ColorQuantizer.rgb(ofXterm256Index: index)
        return c.r == c.g && c.g == c.b
    }

    /// Hue in degrees of a palette entry (0 red, 240 blue).
    static func hue(_ index: Int) -> Double {
        let c = ColorQuantizer.rgb(ofXterm256Index: index)
        let (r, g, b) = (Double(c.r), Double(c.g), Double(c.b))
        let high = max(r, g, b), chroma = high - min(r, g, b)
        var h = high == r ? 60 * ((g - b) / chroma) : high == g ? 60 * ((b - r) / chroma + 2) : 60 * ((r - g) / chroma + 4)
        if h < 0 { h += 360 }
        return h
    }

    static func index(_ color: Color) -> Int {
        guard case let .rgb(r, g, b) = color else { return -1 }
        return ColorQuantizer.xterm256Index(r: r, g: g, b: b)
    }

    /// 256 colours: every |cos| ≥ 0.2 of every colour theme becomes a coloured (never grey)
    /// entry, and the two signs are at least 60° of hue apart; in the dark theme negative is
    /// blue-ish (180–270°) and positive red-ish (≤ 30° or ≥ 330°). Before, −0.23 and +0.32
    /// were both #3a3a3a.
    @Test(arguments: ["dark", "light", "colorblind"])
    func signedScaleKeepsItsSignIn256Colours(name: String) throws {
        let theme = try Theme.load(name: name, directory: try #require(themesDirectory())).theme
        for m in Self.magnitudes {
            let negative = Self.index(theme.scaleColor(signed: -m)), positive = Self.index(theme.scaleColor(signed: m))
            #expect(!Self.isGrey(negative), "\(name) -\(m) → \(negative)")
            #expect(!Self.isGrey(positive), "\(name) +\(m) → \(positive)")
            guard !Self.isGrey(negative), !Self.isGrey(positive) else { continue }
            let apart = abs(Self.hue(negative) - Self.hue(positive))
            #expect(min(apart, 360 - apart) >= 60, "\(name) ±\(m): hues \(Self.hue(negative)) and \(Self.hue(positive))")
            if name == "dark" {
                #expect((180...270).contains(Self.hue(negative)), "-\(m) hue \(Self.hue(negative))")
                #expect(Self.hue(positive) <= 30 || Self.hue(positive) >= 330, "+\(m) hue \(Self.hue(positive))")
            }
            // Absolute mode (|cos| on the sequential scale) is never grey either.
            #expect(!Self.isGrey(Self.index(theme.sequentialColor(unit: m))), "\(name) |cos| \(m)")
        }
    }

    /// The themes' own greys stay grey (the kept hue starts at chroma 24).
    @Test func themeGreysStayGrey() {
        for color: Color in [.rgb(0x7a, 0x7a, 0x8c), .rgb(0x4a, 0x4a, 0x5c), .rgb(0x50, 0x50, 0x60), .rgb(0x1c, 0x1c, 0x24)] {
            #expect(Self.isGrey(Self.index(color)), "\(color.hexString)")
        }
        #expect(ColorQuantizer.xterm256Index(r: 67, g: 40, b: 41) == 52)   // +0.2 in dark: #5f0000, was grey 236
        #expect(ColorQuantizer.xterm256Index(r: 34, g: 44, b: 72) == 17)   // −0.2 in dark: #00005f, was grey 236
    }

    /// 8 colours: each heatmap cell is a shade glyph (never blank for |cos| ≥ 0.2) in the basic
    /// colour of the scale end it leans to: blue below zero, red above (dark theme).
    @Test func eightColourHeatmapCellsAreSigned() {
        let context = RenderContext(colorMode: .ansi8)
        let values = Self.magnitudes.flatMap { [-$0, $0] }
        // One matrix row per value pair: column 0 negative, column 1 positive (rows in pairs per cell).
        let matrix = HalfBlockMatrix(rows: values.count / 2, columns: 2, values: values, mapping: .signed(limit: 1))
        let grid = rendered(matrix, width: 2, height: (values.count / 2 + 1) / 2, context: context).reducedToEightColors()
        let blue = Color.rgb(0, 0, 238), red = Color.rgb(205, 0, 0)
        for y in 0..<grid.height {
            #expect(grid[0, y].symbol != " " && grid[1, y].symbol != " ", "row \(y)")
            #expect(grid[0, y].foreground == blue, "row \(y): \(grid[0, y].foreground)")
            #expect(grid[1, y].foreground == red, "row \(y): \(grid[1, y].foreground)")
        }
    }

    /// Mono: −x and +x are different glyphs (the negative ramp -=≡■, the positive ░▒▓█), in
    /// the heatmap and in its legend (which read `-1 ██▓▓▓▒▒▒░░░  ░░░▒▒▒▓▓▓██ 1` before).
    @Test func monoShowsTheSignByGlyph() {
        let context = RenderContext(colorMode: .monochrome)
        for m in Self.magnitudes {
            let grid = rendered(HalfBlockMatrix(rows: 1, columns: 2, values: [-m, m], mapping: .signed(limit: 1)),
                                width: 2, height: 1, context: context)
            #expect(grid[0, 0].symbol != grid[1, 0].symbol, "±\(m)")
            #expect(GlyphSet.unicode.negativeShades.contains(grid[0, 0].symbol) && grid[0, 0].symbol != " ", "-\(m)")
            #expect(GlyphSet.unicode.shades.contains(grid[1, 0].symbol) && grid[1, 0].symbol != " ", "+\(m)")
        }
        let legend = rendered(ColorScaleLegend(mapping: .signed(limit: 1)), width: 30, height: 1, context: context).plainText()
        #expect(legend.hasPrefix("-1 ■"), "\(legend)")
        #expect(legend.contains("≡") && legend.contains("▓") && legend.hasSuffix("█ 1"), "\(legend)")
        // ASCII keeps the two ramps apart too.
        let ascii = RenderContext(glyphs: .ascii, colorMode: .monochrome)
        let cells = rendered(HalfBlockMatrix(rows: 1, columns: 2, values: [-0.9, 0.9], mapping: .signed(limit: 1)),
                             width: 2, height: 1, context: ascii)
        #expect(cells[0, 0].symbol == "%" && cells[1, 0].symbol == "#")
    }

    /// The focused block is drawn with heavy lines (ASCII: `#` and `=`), so focus shows in mono.
    @Test func focusShowsWithoutColour() {
        for glyphs in [GlyphSet.unicode, .ascii] {
            let context = RenderContext(glyphs: glyphs, colorMode: .monochrome)
            let plain = rendered(Block(title: "A"), width: 8, height: 3, context: context)
            let focused = rendered(Block(title: "A", isFocused: true), width: 8, height: 3, context: context)
            #expect(plain[0, 0].symbol == glyphs.topLeft && plain[0, 1].symbol == glyphs.vertical)
            #expect(focused[0, 0].symbol == glyphs.focusedBorder[0] && focused[0, 1].symbol == glyphs.focusedBorder[5])
            #expect(focused[0, 0].symbol != plain[0, 0].symbol && focused[7, 1].symbol != plain[7, 1].symbol)
        }
    }

    /// Line series with markers show them on their lines, so two lines of one colour (mono)
    /// tell apart.
    @Test func lineMarkersTellSeriesApart() throws {
        let flat = (1...40).map { LineChart.Point(x: Double($0), y: 1) }
        let low = (1...40).map { LineChart.Point(x: Double($0), y: 0) }
        let chart = LineChart(series: [LineChart.Series(name: "a", points: flat, marker: "1"),
                                       LineChart.Series(name: "b", points: low, marker: "2")],
                              showsAxes: false)
        let grid = rendered(chart, width: 30, height: 6, context: RenderContext(colorMode: .monochrome))
        let rows = grid.plainText().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        try #require(rows.count >= 6)
        #expect(rows[0].contains("1") && !rows[0].contains("2"), "\(rows)")
        #expect(rows[5].contains("2") && !rows[5].contains("1"), "\(rows)")
        #expect(rows[0].filter { $0 == "1" }.count >= 4)
    }
}
