import Testing
import TerminalUI
@testable import Explorer

/// The Input pane of sequence models, read as text.
@Suite struct InputPaneTests {
    func draw(_ pane: InputPane, width: Int, height: Int) -> Grid {
        var grid = Grid(width: width, height: height)
        pane.render(into: &grid, area: grid.bounds, context: RenderContext())
        return grid
    }

    /// T = 12 fits: one column per step, the marker row puts `^` under t, `*` under the top-k
    /// steps, `-` under the other presented steps and nothing under pending ones; 3 inputs
    /// take two half-block rows.
    @Test func marksCursorTopKPresentedAndPending() {
        let seq = (0..<36).map { Double($0 % 7) - 3 }
        let pane = InputPane(sequence: seq, steps: 12, inputSize: 3, t: 5, topSteps: [2, 9], label: "west")
        let g = draw(pane, width: 46, height: 6)
        #expect(g.rowText(0).hasPrefix("┌ Input west · t 5/12 "))
        #expect(g.rowText(1).dropFirst().prefix(12).allSatisfy { $0 == "▀" })
        #expect(g.rowText(2).dropFirst().prefix(12).allSatisfy { $0 == "▀" })
        #expect(String(g.rowText(3).dropFirst().prefix(12)) == "-*--^   *   ")
        #expect(g.rowText(4).contains("steps 1–12 of 12 · 3 inputs · * top 2 R"))
        // The markers are in the cursor and topK colours; the data under them is not painted
        // over (issue 29, item 10): the cells keep their values' colours.
        let theme = RenderContext().theme
        #expect(g[1 + 4, 3].foreground == theme[.cursor] && g[1 + 1, 3].foreground == theme[.topK])
        let limit = seq.map { abs($0) }.max()!
        #expect(g[1 + 4, 1].foreground == theme.scaleColor(signed: seq[4 * 3] / limit))
        #expect(g[1 + 1, 1].foreground == theme.scaleColor(signed: seq[1 * 3] / limit))
    }

    /// Issue 29, item 10: a short input in a tall pane fills it (3 inputs over 14 rows, not 2
    /// of them) and has a value legend.
    @Test func fillsATallPaneWithALegend() {
        let seq = (0..<27).map { Double($0 % 5) - 2 }
        let g = draw(InputPane(sequence: seq, steps: 9, inputSize: 3, t: 9, topSteps: [3], label: nil), width: 30, height: 16)
        let heatRows = (1..<15).filter { g.rowText($0).dropFirst().hasPrefix("▀▀▀▀▀▀▀▀▀") }.count
        #expect(heatRows >= 10, "\(g.plainText())")
        #expect(g.plainText().contains("-2 ") && g.plainText().contains(" 2"), "\(g.plainText())")
        #expect(g.plainText().contains("--*-----^"))
    }

    /// T = 100 in a 20-column pane: the window scrolls to keep t near its middle and the
    /// footer names the shown steps; at the ends it clamps.
    @Test func scrollsWithT() {
        let seq = (0..<100).map { Double($0) }
        #expect(InputPane.firstShownStep(t: 50, steps: 100, width: 20) == 39)
        #expect(InputPane.firstShownStep(t: 3, steps: 100, width: 20) == 0)
        #expect(InputPane.firstShownStep(t: 100, steps: 100, width: 20) == 80)
        let g = draw(InputPane(sequence: seq, steps: 100, inputSize: 1, t: 50, topSteps: [45, 90], label: nil), width: 22, height: 5)
        // Steps 40…59 shown: t = 50 is column 10, step 45 column 5; step 90 is off screen.
        let markers = Array(g.rowText(2).dropFirst().prefix(20))
        #expect(markers[10] == "^" && markers[5] == "*")
        #expect(markers.filter { $0 == "*" }.count == 1)
        #expect(markers[0] == "-" && markers[19] == " ")
        #expect(g.rowText(3).contains("steps 40–59 of 100"))
    }
}
