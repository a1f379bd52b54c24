import Explorer
import Testing
import TerminalUI
@testable import Explorer

/// The panes as widgets: clicks hit what the widgets draw, and key hints follow the key table.
@Suite("Pane widgets", .serialized)
struct PaneWidgetTests {
    /// A click on a digit cell moves t to that cell's upper pixel, and the redrawn cell shows it
    /// in the cursor colour; the same for every column of the R trace (every layout the
    /// screen uses, including zoom).
    @Test(arguments: [(120, 40, false), (80, 24, false), (120, 40, true), (200, 60, false)])
    func clicksHitWhatTheWidgetsDraw(width: Int, height: Int, zoomed: Bool) throws {
        var state = ExplorerFixtures.state(size: TerminalSize(width: width, height: height))
        state.focus = .digit
        state.isZoomed = zoomed
        let layout = try #require(ScreenLayout.make(size: state.size, focus: state.focus, isZoomed: zoomed))
        let digit = try #require(layout.panes[.digit])
        let theme = state.context.theme
        // Each pixel is an s×s block of half-cells, s the whole multiple of 28×14 that fits.
        let scale = max(1, min((digit.width - 2) / 28, (digit.height - 2) / 14))
        for (column, cellRow) in [(0, 0), (5, 5), (27, 13), (13, 7)] {
            let x = digit.minX + 1 + column * scale, y = digit.minY + 1 + cellRow * scale
            _ = state.handle(.click(x: x, y: y))
            let pixel = 2 * cellRow * 28 + column
            #expect(state.t == state.model.stepOfPixel[pixel])
            let cell = ExplorerScreen.render(state, size: state.size)[x, y]
            let value = Double(state.image[pixel])
            #expect(cell.foreground == theme[.background].mixed(with: theme[.cursor], 0.6 + 0.4 * value), "pixel \(pixel)")
        }
        // Outside the matrix (the border) nothing moves.
        let before = state.t
        _ = state.handle(.click(x: digit.minX, y: digit.minY))
        #expect(state.t == before)
        guard let trace = layout.panes[.rTrace] else { return }
        for column in [0, 3, 27] {
            let x = trace.minX + 1 + column, y = trace.minY + 1
            _ = state.handle(.click(x: x, y: y))
            #expect(state.t == column + 1)
        }
    }

    /// Hints name whatever key the table binds, not a fixed letter.
    @Test func keyHintsComeFromTheKeyTable() throws {
        let rebound = KeyTable<ExplorerAction>(ExplorerKeys.table.bindings.map { binding in
            var binding = binding
            switch binding.action {
            case .toggleTraining: binding.display = "F5"
            case .toggleAlignmentScale: binding.display = "F6"
            case .toggleAlignmentView: binding.display = "F7"
            default: break
            }
            return binding
        })
        #expect(ExplorerKeys.hint(.toggleTraining, in: rebound) == "F5")
        #expect(ExplorerKeys.hint(.toggleTraining) == "t")
        let (app, _) = ExplorerFixtures.settledApp()
        var training = Grid(width: 60, height: 12)
        app.state.trainingPane(keys: rebound).render(into: &training, area: training.bounds, context: app.state.context)
        #expect(training.plainText().contains("F5: train rowwise H 16 in the background"))
        var alignment = Grid(width: 50, height: 22)
        app.state.alignmentPane(keys: rebound).render(into: &alignment, area: alignment.bounds, context: app.state.context)
        #expect(alignment.plainText().contains("F6: signed/abs"))
        var state = app.state
        state.alignmentView = .spreadByIndex
        alignment = Grid(width: 60, height: 22)
        state.alignmentPane(keys: rebound).render(into: &alignment, area: alignment.bounds, context: state.context)
        #expect(alignment.plainText().contains("F7: heatmap"))
    }

    /// At 200×60 the digit doubles and the charts, not the Training pane, take the height
    /// (issue #16, item 14).
    @Test func largeScreensGiveTheSpaceToTheDigitAndTheCharts() throws {
        let large = try #require(ScreenLayout.make(size: TerminalSize(width: 200, height: 60), focus: .spectrum, isZoomed: false))
        let full = try #require(ScreenLayout.make(size: TerminalSize(width: 120, height: 40), focus: .spectrum, isZoomed: false))
        let digit = try #require(large.panes[.digit])
        #expect(digit.width == 58 && digit.height == 30)
        #expect(try #require(large.panes[.training]).height <= 22)
        let spectrumGrowth = try #require(large.panes[.spectrum]).height - (try #require(full.panes[.spectrum]).height)
        #expect(spectrumGrowth >= 10)
        let app = SnapshotTests.fixedApp(size: TerminalSize(width: 200, height: 60))
        let flips = try #require(app.state.currentFlips)
        let screen = try #require(app.screen)
        let theme = app.state.context.theme
        for pixel in flips.rFlippedPixels {
            // Pixel (r, c) covers cells 2c…2c+1 of cell row r (both halves).
            let row = pixel / 28, column = pixel % 28
            for dx in 0..<2 {
                let cell = screen[digit.minX + 1 + 2 * column + dx, digit.minY + 1 + row]
                #expect(cell.foreground == theme[.upFlip] && cell.background == theme[.upFlip], "pixel \(pixel)")
            }
        }
    }
}
