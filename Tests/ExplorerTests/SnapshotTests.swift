import Explorer
import Foundation
import Testing
import TerminalUI

/// Golden screens from a fixed state: the row-wise H = 16 model (seed 1) on test image 0,
/// settled, at t = 14 with up flips on (k = 10).
@Suite("Snapshots", .serialized)
struct SnapshotTests {
    static func fixedApp(size: TerminalSize, colorMode: ColorMode = .trueColor) -> ExplorerApp {
        let (app, _) = ExplorerFixtures.settledApp(size: size, colorMode: colorMode)
        ExplorerFixtures.press([.home, .char("L"), .char("l"), .char("l"), .char("l"), .char("u")], on: app)
        return app
    }

    @Test(arguments: [(80, 24), (120, 40), (200, 60)])
    func wholeScreen(width: Int, height: Int) throws {
        let app = Self.fixedApp(size: TerminalSize(width: width, height: height))
        #expect(app.state.t == 14)
        let screen = try #require(app.screen)
        #expect(screen.width == width && screen.height == height)
        GoldenFile.check(screen.plainText(), named: "screen-\(width)x\(height)")
    }

    static let styledPanes: Set<Pane> = [.digit, .alignment, .rTrace, .logits]

    @Test(arguments: Pane.allCases)
    func eachPane(pane: Pane) throws {
        let app = Self.fixedApp(size: TerminalSize(width: 120, height: 40))
        let layout = try #require(ScreenLayout.make(size: app.state.size, focus: app.state.focus, isZoomed: false))
        let area = try #require(layout.panes[pane])
        var grid = Grid(width: area.width, height: area.height)
        ExplorerScreen.render(pane, state: app.state, into: &grid, area: grid.bounds)
        var text = grid.plainText()
        // Where colour carries meaning (flips, cursor, marks, heatmap values), the colours too.
        if Self.styledPanes.contains(pane) { text += "\n\n" + grid.styleText(names: app.state.context.theme.colorNames) }
        GoldenFile.check(text, named: "pane-\(pane.rawValue)")
    }

    /// The 8-colour screen as an 8-colour terminal shows it (issue #16, item 10): borders
    /// and grey labels stay grey, presented and pending pixels differ, the heatmap is shades.
    @Test func eightColourScreen() throws {
        let app = Self.fixedApp(size: TerminalSize(width: 120, height: 40), colorMode: .ansi8)
        let screen = try #require(app.screen).reducedToEightColors()
        GoldenFile.check(screen.plainText() + "\n\n" + screen.styleText(names: Grid.basicColorNames), named: "screen-120x40-8colour")
        let layout = try #require(ScreenLayout.make(size: app.state.size, focus: app.state.focus, isZoomed: false))
        let white = Color.rgb(229, 229, 229), magenta = Color.rgb(205, 0, 205)
        let training = try #require(layout.panes[.training])
        #expect(screen[training.minX, training.minY + 3].foreground == white)   // an unfocused border
        #expect(!(0..<screen.height).contains { y in (0..<screen.width).contains { screen[$0, y].foreground == magenta } })
        let digit = try #require(layout.panes[.digit])
        #expect(screen[digit.minX + 10, digit.minY + 1 + 3].attributes != screen[digit.minX + 10, digit.minY + 1 + 10].attributes)
        let heat = try #require(layout.panes[.alignment]).inset(by: 1)
        let cells = (0..<8).flatMap { y in (0..<20).map { screen[heat.minX + 4 + $0, heat.minY + 1 + y].symbol } }
        #expect(cells.filter { $0 != " " }.count > cells.count / 2)
    }

    @Test func tooSmallScreen() {
        let grid = ExplorerScreen.render(ExplorerFixtures.state(), size: TerminalSize(width: 70, height: 20))
        #expect(grid.plainText().contains("terminal too small: need 80×24"))
        #expect(grid.plainText().contains("have 70×20"))
    }

    @Test func compactLayoutShowsTheFocusedPaneAndZoomFillsTheBody() {
        var state = ExplorerFixtures.state(size: TerminalSize(width: 80, height: 24))
        var layout = ScreenLayout.make(size: state.size, focus: state.focus, isZoomed: false)!
        // Issue 29, item 2: the logits strip over the spectrum, beside the digit.
        #expect(Set(layout.panes.keys) == [.digit, .rTrace, .logits, .spectrum])
        #expect(layout.panes[.logits]?.height == ScreenLayout.compactLogitsHeight)
        _ = state.handle(.action(.focusNextPane))   // alignment
        layout = ScreenLayout.make(size: state.size, focus: state.focus, isZoomed: false)!
        #expect(Set(layout.panes.keys) == [.digit, .rTrace, .alignment])
        _ = state.handle(.action(.toggleZoom))
        layout = ScreenLayout.make(size: state.size, focus: state.focus, isZoomed: state.isZoomed)!
        #expect(layout.panes == [.alignment: layout.body])
        let full = ScreenLayout.make(size: TerminalSize(width: 120, height: 40), focus: .digit, isZoomed: false)!
        #expect(Set(full.panes.keys) == Set(Pane.allCases))
    }

    /// Up-flipped pixels use the theme's upFlip colour (in the half of the cell that holds them).
    @Test func flipColoursMarkTheFlippedPixels() throws {
        let app = Self.fixedApp(size: TerminalSize(width: 120, height: 40))
        let flips = try #require(app.state.currentFlips)
        #expect(flips.rFlippedPixels.count == 10)
        let screen = try #require(app.screen)
        let digit = try #require(ScreenLayout.make(size: app.state.size, focus: .spectrum, isZoomed: false)?.panes[.digit])
        let theme = app.state.context.theme
        for pixel in flips.rFlippedPixels {
            let row = pixel / 28, column = pixel % 28
            let cell = screen[digit.minX + 1 + column, digit.minY + 1 + row / 2]
            let color = row % 2 == 0 ? cell.foreground : cell.background
            #expect(color == theme[.upFlip], "pixel \(pixel)")
            #expect(app.state.image[pixel] < 0.001)
        }
        // With flips off the same ranking is marked in the top-k colour.
        ExplorerFixtures.press([.char("u")], on: app)
        let marked = try #require(app.screen)
        let pixel = try #require(app.state.currentFlips?.topPixels.first)
        let cell = marked[digit.minX + 1 + pixel % 28, digit.minY + 1 + (pixel / 28) / 2]
        #expect((pixel / 28) % 2 == 0 ? cell.foreground == theme[.topK] : cell.background == theme[.topK])
    }

    /// The heatmap's first cell shows q1·e1 (upper half) and q2·e1 (lower half) on the
    /// diverging scale; `a` switches to |cos| on the sequential scale.
    @Test func heatmapCellsFollowTheColourScale() throws {
        let app = Self.fixedApp(size: TerminalSize(width: 120, height: 40))
        let alignment = try #require(app.state.currentAlignment)
        #expect(alignment.t == 14)
        let area = try #require(ScreenLayout.make(size: app.state.size, focus: .spectrum, isZoomed: false)?.panes[.alignment])
        let theme = app.state.context.theme
        var cell = try #require(app.screen)[area.minX + 1 + 4, area.minY + 2]
        #expect(cell.symbol == "▀")
        #expect(cell.foreground == theme.scaleColor(signed: alignment.cosine(q: 0, column: 0)))
        #expect(cell.background == theme.scaleColor(signed: alignment.cosine(q: 1, column: 0)))
        ExplorerFixtures.press([.char("a")], on: app)
        cell = try #require(app.screen)[area.minX + 1 + 4, area.minY + 2]
        // |cos| on the sequential scale: 0 is scale.mid (dark), not the signed scale's −1 blue.
        #expect(cell.foreground == theme.sequentialColor(unit: abs(alignment.cosine(q: 0, column: 0))))
        // Cosines are cosines.
        #expect(alignment.cosines.allSatisfy { abs($0) <= 1 + 1e-9 })
    }

    @Test func asciiGlyphsAndMonoStayReadable() {
        let state = ExplorerFixtures.state(colorMode: .monochrome, glyphs: .ascii)
        let text = ExplorerScreen.render(state, size: TerminalSize(width: 120, height: 40)).plainText()
        #expect(text.allSatisfy { $0.isASCII })
        #expect(text.contains("FTLE spectrum | L_k(t)"))
    }
}
