import Foundation
import Testing
import TerminalUI
@testable import Explorer

/// The digit in mono and with the mono theme: no stripes, and every pixel state looks
/// different without colour (issue #16, item 3).
@Suite("Digit marks", .serialized)
struct DigitMarksTests {
    /// A digit pane over image 0 at t = 14 with three flipped pixels (two dark, one lit) or,
    /// with `flipped` false, the same pixels as top-k.
    static func pane(flipped: Bool) -> (DigitPane, up: Int, down: Int, top: Int) {
        let state = ExplorerFixtures.state()
        let image = state.image
        let dark = (0..<784).filter { image[$0] < 0.01 && state.model.stepOfPixel[$0] < 14 }
        let lit = (0..<784).filter { image[$0] > 0.9 && state.model.stepOfPixel[$0] < 14 }
        let up = dark[0], down = lit[0]
        let request = FlipRequest(count: 2, up: flipped, down: flipped, baselineSeed: 0)
        let flips = FlipResult(analysisID: 1, request: request, topPixels: [up, down], topSteps: [], rFlippedPixels: flipped ? [up, down] : [],
                               randomPixels: [], original: [Double](repeating: 0, count: 10), rFlipped: nil, randomFlipped: nil,
                               label: state.label)
        return (DigitPane(label: state.label, t: 14, steps: 28, image: image, stepOfPixel: state.model.stepOfPixel, flips: flips),
                up, down, up)
    }

    /// The look (glyph, attributes) of the cell showing `pixel` when it is the only marked one.
    static func look(of pixel: Int, in grid: Grid) -> (Character, CellAttributes) {
        let cell = grid[1 + pixel % 28, 1 + pixel / 28 / 2]
        return (cell.symbol, cell.attributes)
    }

    @Test(arguments: [ColorMode.monochrome, .trueColor])
    func everyStateLooksDifferentWithoutColour(mode: ColorMode) throws {
        let theme = try Theme.load(name: "mono", directory: ExplorerFixtures.themesDirectory).theme
        let context = RenderContext(theme: theme, glyphs: .unicode, colorMode: mode)
        let (flipped, up, down, _) = Self.pane(flipped: true)
        var grid = Grid(width: 30, height: 16)
        flipped.render(into: &grid, area: grid.bounds, context: context)
        #expect(Self.look(of: up, in: grid) == ("▲", .bold))
        #expect(Self.look(of: down, in: grid) == ("▼", .bold))
        let (marked, _, _, top) = Self.pane(flipped: false)
        grid = Grid(width: 30, height: 16)
        marked.render(into: &grid, area: grid.bounds, context: context)
        #expect(Self.look(of: top, in: grid).0 == "●")
        // Rows 1–13 presented, 14 the cursor, 15–28 pending (row-wise: step = row + 1).
        #expect(grid[10, 1 + 3].attributes == [])
        #expect(grid[10, 1 + 13 / 2].attributes == .reverse)     // pixel rows 12 (presented) and 13 (cursor)
        #expect(grid[10, 1 + 20 / 2].attributes == .dim)
        let looks = DigitPane.PixelState.allCases.map { state in
            let look = state.look(RenderContext())
            return "\(look.symbol.map(String.init) ?? "shade")/\(look.attributes.rawValue)"
        }
        #expect(Set(looks).count == DigitPane.PixelState.allCases.count)
        // No stripes: nothing in the digit has the terminal's text colour as a ▀ foreground.
        for y in 1..<15 {
            for x in 1..<29 { #expect(!(grid[x, y].symbol == "▀" && grid[x, y].foreground == .default), "cell \(x),\(y)") }
        }
    }

    /// Theme colours with the terminal's own background never draw `.default` as a half-block foreground.
    @Test func defaultColoursNeverBecomeAForeground() {
        let theme = Theme(name: "t", colors: [.background: .default, .scaleMid: .default])
        let matrix = HalfBlockMatrix(rows: 2, columns: 2, values: [0.5, .nan, 1, .nan], mapping: .absolute(0...1))
        var grid = Grid(width: 2, height: 1)
        matrix.render(into: &grid, area: grid.bounds, context: RenderContext(theme: theme))
        #expect(grid[0, 0].symbol == "▄" && grid[0, 0].foreground == theme[.scaleHigh])
        #expect(grid[1, 0].symbol == " ")
    }
}
