@testable import Explorer
import Foundation
import RNN
import Testing
import TerminalUI

/// Issue 29, items 2, 4 and 9: the core loop at 80×24, focus and series without colour,
/// and large K.
@Suite("Issue 29 screens", .serialized)
struct Issue29ScreenTests {
    static func lines(_ grid: Grid) -> [String] {
        grid.plainText().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// Item 2: at 80×24 one screen shows the digit, the logits of the original, R-flipped and
    /// random-flipped image (with the loss change) and the spectrum; the key bar shows Tab and z.
    @Test func theCoreLoopFitsEightyByTwentyFour() throws {
        let app = SnapshotTests.fixedApp(size: TerminalSize(width: 80, height: 24))
        let screen = try #require(app.screen)
        let text = screen.plainText()
        for needed in ["Digit 7", "Logits", "original", "R-flipped", "random", "FTLE spectrum", "k 10 up flips"] {
            #expect(text.contains(needed), "missing \(needed)")
        }
        let footer = try #require(Self.lines(screen).last)
        #expect(footer.contains("Tab pane") && footer.contains("z zoom") && footer.contains("u up flips")
                && footer.contains("d down flips"), "\(footer)")
        // The λ(t) legend is whole (it was cut to "λ3(").
        #expect(text.contains("1 λ1") && text.contains("2 λ2") && text.contains("3 λ3"))
        // `d` shows in the logits at once: the flipped row now says down flips.
        ExplorerFixtures.press([.char("d")], on: app)
        #expect(try #require(app.screen).plainText().contains("k 10 down flips"))
        // Tab still reaches every pane: the Alignment and Training panes take the right column.
        ExplorerFixtures.press([.tab], on: app)
        #expect(app.state.focus == .alignment)
        #expect(try #require(app.screen).plainText().contains("Alignment"))
    }

    /// Item 4: in mono the focused pane has a heavy border (the others light), the alignment
    /// legend shows both signs by glyph, and the λ lines carry their numbers.
    @Test func monoShowsFocusSignAndSeries() throws {
        let app = SnapshotTests.fixedApp(size: TerminalSize(width: 120, height: 40), colorMode: .monochrome)
        let screen = try #require(app.screen)
        let layout = try #require(ScreenLayout.make(size: app.state.size, focus: app.state.focus, isZoomed: false))
        let spectrum = try #require(layout.panes[.spectrum]), digit = try #require(layout.panes[.digit])
        #expect(app.state.focus == .spectrum)
        #expect(screen[spectrum.minX, spectrum.minY].symbol == "┏")
        #expect(screen[digit.minX, digit.minY].symbol == "┌")
        let text = screen.plainText()
        #expect(text.contains("-1 ■") && text.contains("≡") && text.contains("█ 1"), "signed legend")
        #expect(text.contains("1 λ1(t)") && text.contains("2 λ2(t)") && text.contains("3 λ3(t)"))
        ExplorerFixtures.press([.tab], on: app)
        let moved = try #require(app.screen)
        let alignment = try #require(layout.panes[.alignment])
        #expect(moved[alignment.minX, alignment.minY].symbol == "┏" && moved[spectrum.minX, spectrum.minY].symbol == "┌")
    }

    /// Item 9: with K = 128 the bars show the leading exponents that fit, on their own scale,
    /// and say how many; zooming the alignment widens its heatmap to the pane and `]` scrolls
    /// to the last Q vectors.
    @Test func largeKStaysReadable() throws {
        let model = RNNModel<Double>(task: .rowwise, hidden: 128, initialization: .pytorch, seed: 2)
        let (app, _) = ExplorerFixtures.settledApp(model: model, directions: 128)
        #expect(app.state.directions == 128)
        var text = try #require(app.screen).plainText()
        #expect(text.contains("│ = t · k1-22 of 128 ([ ] scroll)"), "bars legend")
        // Alignment focused and zoomed: wider columns, scrolled to q128.
        ExplorerFixtures.press([.tab, .char("z")], on: app)
        #expect(app.state.focus == .alignment && app.state.isZoomed)
        let screen = try #require(app.screen)
        text = screen.plainText()
        #expect(text.contains("q1-") && text.contains("of K=128") && text.contains("scroll q"))
        let body = try #require(ScreenLayout.make(size: app.state.size, focus: .alignment, isZoomed: true)?.body)
        let heatRow = body.minY + 2
        let heatCells = (body.minX + 5..<body.maxX - 1).filter { screen[$0, heatRow].symbol == "▀" }.count
        #expect(heatCells > 2 * 10 + 1, "the zoomed heatmap grows: \(heatCells) columns")
        ExplorerFixtures.press(Array(repeating: .char("]"), count: 20), on: app)
        text = try #require(app.screen).plainText()
        #expect(text.contains("q65-128 of K=128"), "scrolled to the last Q vectors")
        ExplorerFixtures.press(Array(repeating: .char("["), count: 20), on: app)
        #expect(app.state.alignmentScroll == 0)
    }

    /// Item 11 (parts): keys other than `q` do nothing while "terminal too small" shows, and a
    /// paused run shows no ETA.
    @Test func tooSmallIgnoresKeysAndPausedHasNoETA() {
        var state = ExplorerFixtures.state(size: TerminalSize(width: 70, height: 20))
        #expect(state.event(for: .char("u")) == nil && state.event(for: .right) == nil)
        if case .action(.quit)? = state.event(for: .char("q")) {} else { Issue.record("q must still quit") }
        state.size = TerminalSize(width: 80, height: 24)
        if case .action(.toggleUpFlips)? = state.event(for: .char("u")) {} else { Issue.record("u acts again at 80×24") }
        state.training.etaSeconds = 120
        state.training.phase = .pausing
        _ = state.handle(.training(.paused(step: 30)))
        #expect(state.training.etaSeconds == nil)
    }

    /// Item 11 (part): at 200×60 the R trace gets 10 rows and draws ln r_t^1 as bars over 6 of
    /// them (it was one sparkline row), still one column per step, so clicks keep their step.
    @Test func theRTraceGrowsAtTwoHundredBySixty() throws {
        let app = SnapshotTests.fixedApp(size: TerminalSize(width: 200, height: 60))
        let layout = try #require(ScreenLayout.make(size: app.state.size, focus: app.state.focus, isZoomed: false))
        let trace = try #require(layout.panes[.rTrace])
        #expect(trace.height == 10)
        let chart = app.state.rTracePane.lineArea(in: trace)
        #expect(chart.height == 6)
        let screen = try #require(app.screen)
        let filled = (chart.minY..<chart.maxY).flatMap { y in (chart.minX..<chart.minX + 28).map { screen[$0, y].symbol } }
            .filter { $0 != " " }.count
        #expect(filled >= 28, "bars drawn: \(filled)")
        #expect(app.state.clickedStep(x: chart.minX + 4, y: chart.minY + 3) == 5)
    }

    /// Item 11 (parts): every help line fits the 80-column overlay (the `J` line was cut), and
    /// the step-t swatch of the digit legend shows the colours the pixels of step t take.
    @Test func helpFitsAndTheCursorSwatchMatches() throws {
        let state = ExplorerFixtures.state(size: TerminalSize(width: 80, height: 24))
        for line in state.helpOverlay.lines() { #expect(line.count <= 80 - 6, "\(line)") }
        var zoomed = ExplorerFixtures.state()
        zoomed.focus = .digit
        zoomed.isZoomed = true
        let grid = ExplorerScreen.render(zoomed, size: TerminalSize(width: 120, height: 40))
        let theme = zoomed.context.theme
        let row = try #require((0..<grid.height).first { grid.rowText($0).contains(" step t") || grid.rowText($0).contains("▀ t") })
        let x = try #require((0..<grid.width).first { grid[$0, row].background == theme[.cursor] && grid[$0, row].symbol == "▀" })
        #expect(grid[x, row].foreground == theme[.background].mixed(with: theme[.cursor], 0.6))
    }

    /// Item 11 (part): a status message longer than the line is wrapped over the footer's row
    /// while it shows, not cut with "…"; the key bar is back once it is gone.
    @Test func longStatusWrapsInsteadOfBeingCut() throws {
        var state = ExplorerFixtures.state(size: TerminalSize(width: 80, height: 24))
        let message = "the explorer trains MNIST models; train on sequences with ftle train --inputs X.npy --labels Y.npy --out DIR and watch it with --follow DIR"
        _ = state.handle(.status(message, isWarning: true))
        var lines = Issue29ScreenTests.lines(ExplorerScreen.render(state, size: state.size))
        let shown = (lines[22] + " " + lines[23]).split(separator: " ").joined(separator: " ")
        #expect(shown == message, "\(lines[22])\n\(lines[23])")
        #expect(!lines[22].contains("…"))
        state.status = nil
        lines = Issue29ScreenTests.lines(ExplorerScreen.render(state, size: state.size))
        #expect(lines[23].contains("q quit"))
    }
}

