import Testing
import TerminalUI

@Suite struct ColorTests {
    @Test func hexParsing() {
        #expect(Color(hex: "#1E90ff") == .rgb(0x1e, 0x90, 0xff))
        #expect(Color(hex: "default") == .default)
        #expect(Color(hex: "#12345") == nil)
        #expect(Color(hex: "123456") == nil)
        #expect(Color(hex: "#12345g") == nil)
        #expect(Color.rgb(1, 0xab, 255).hexString == "#01abff")
    }

    @Test func mixingInterpolatesAndClamps() {
        let black = Color.rgb(0, 0, 0), white = Color.rgb(255, 255, 255)
        #expect(black.mixed(with: white, 0.5) == .rgb(128, 128, 128))
        #expect(black.mixed(with: white, 2) == white)
        #expect(black.mixed(with: .default, 0.7) == .default)
    }

    @Test(arguments: [
        (255, 0, 0, 196), (0, 0, 0, 16), (255, 255, 255, 231), (128, 128, 128, 244),
        (8, 8, 8, 232), (238, 238, 238, 255), (95, 135, 175, 67), (95, 95, 95, 59), (0, 255, 0, 46),
    ])
    func xterm256Quantisation(r: Int, g: Int, b: Int, index: Int) {
        #expect(ColorQuantizer.xterm256Index(r: UInt8(r), g: UInt8(g), b: UInt8(b)) == index)
    }

    @Test func quantisedColourIsTheNearestPaletteEntry() {
        // Brute force over the whole palette for a spread of colours.
        for value in stride(from: 0, through: 255, by: 17) {
            let (r, g, b) = (UInt8(value), UInt8(255 - value), UInt8(value / 2))
            let chosen = ColorQuantizer.rgb(ofXterm256Index: ColorQuantizer.xterm256Index(r: r, g: g, b: b))
            func distance(_ c: (r: Int, g: Int, b: Int)) -> Int {
                let dr = c.r - Int(r), dg = c.g - Int(g), db = c.b - Int(b)
                return dr * dr + dg * dg + db * db
            }
            let best = (16...255).map { distance(ColorQuantizer.rgb(ofXterm256Index: $0)) }.min()!
            #expect(distance(chosen) == best)
        }
    }

    @Test func basicColourQuantisation() {
        #expect(ColorQuantizer.basicIndex(r: 255, g: 0, b: 0) == 1)
        #expect(ColorQuantizer.basicIndex(r: 0, g: 0, b: 255) == 4)
        #expect(ColorQuantizer.basicIndex(r: 250, g: 250, b: 250) == 7)
        #expect(ColorQuantizer.basicIndex(r: 10, g: 10, b: 10) == 0)
        #expect(ColorQuantizer.basicIndex(r: 0, g: 200, b: 190) == 6)
    }

    @Test func colourModeDetection() {
        #expect(ColorMode.detect(environment: ["COLORTERM": "truecolor"], terminalColors: 8) == .trueColor)
        #expect(ColorMode.detect(environment: ["COLORTERM": "24bit"], terminalColors: 256) == .trueColor)
        #expect(ColorMode.detect(environment: ["COLORTERM": "yes"], terminalColors: 256) == .palette256)
        #expect(ColorMode.detect(environment: [:], terminalColors: 88) == .ansi8)
        #expect(ColorMode.detect(environment: [:], terminalColors: 8) == .ansi8)
        #expect(ColorMode.detect(environment: [:], terminalColors: 2) == .monochrome)
        #expect(ColorMode.detect(environment: ["NO_COLOR": "1", "COLORTERM": "truecolor"], terminalColors: 256) == .monochrome)
        #expect(ColorMode.detect(environment: ["NO_COLOR": ""], terminalColors: 256) == .palette256)
    }

    @Test func drawableModeCapsWhatCursesCanShow() {
        #expect(ColorMode.drawable(terminalColors: 1 << 24) == .trueColor)
        #expect(ColorMode.drawable(terminalColors: 256) == .palette256)
        #expect(min(ColorMode.trueColor, ColorMode.drawable(terminalColors: 256)) == .palette256)
        #expect(ColorMode(name: "24bit") == .trueColor)
        #expect(ColorMode(name: "mono") == .monochrome)
        #expect(ColorMode(name: "16") == nil)
    }
}

@Suite struct EightColourTests {
    /// Greys stay grey (black, dim white, white) and colours keep their hue (issue #16, item 10).
    @Test func greysAndHuesSurviveEightColours() {
        func basic(_ hex: String) -> (Int, Bool) {
            guard case let .rgb(r, g, b)? = Color(hex: hex) else { return (-1, false) }
            let result = ColorQuantizer.basic8(r: r, g: g, b: b)
            return (result.index, result.dim)
        }
        #expect(basic("#1c1c24") == (0, false))   // dark background
        #expect(basic("#4a4a5c") == (7, true))    // border: visible, dim
        #expect(basic("#7a7a8c") == (7, true))    // dim labels: grey, not magenta
        #expect(basic("#d8d8e0") == (7, false))   // presented
        #expect(basic("#505060") == (7, true))    // pending: dimmer than presented
        #expect(basic("#ffd75f").0 == 3)          // cursor yellow
        #expect(basic("#00d7af").0 == 6)          // up flip cyan
        #expect(basic("#3b6ed8").0 == 4)          // scale low blue
        #expect(basic("#e05a3c").0 == 1)          // scale high red
        var grid = Grid(width: 1, height: 1)
        grid[0, 0] = Cell("x", foreground: .rgb(0x7a, 0x7a, 0x8c))
        #expect(grid.ansiText(colorMode: .ansi8) == "\u{1B}[0;2;37mx\u{1B}[0m")
        #expect(grid.reducedToEightColors()[0, 0] == Cell("x", foreground: .rgb(229, 229, 229), attributes: .dim))
    }

    /// With 8 colours a heatmap draws shade glyphs in the colour of the end it leans to.
    @Test func heatmapsUseShadesWithEightColours() {
        let theme = Theme.default
        let matrix = HalfBlockMatrix(rows: 2, columns: 2, values: [-1, 0.5, -1, 0.5], mapping: .signed(limit: 1))
        var grid = Grid(width: 2, height: 1)
        matrix.render(into: &grid, area: grid.bounds, context: RenderContext(theme: theme, colorMode: .ansi8))
        #expect(grid[0, 0].symbol == "█" && grid[0, 0].foreground == theme[.scaleLow])
        #expect(grid[1, 0].symbol == "▒" && grid[1, 0].foreground == theme[.scaleHigh])
    }
}
