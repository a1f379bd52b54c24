import Foundation
import Testing
import TerminalUI
@testable import Explorer

/// Logits at the cursor: p(o_t) = softmax(W h_t + c) moves with t (issue #16, item 17).
@Suite("Logits at the cursor", .serialized)
struct LogitsAtCursorTests {
    static func paneText(_ state: ExplorerState) -> String {
        var grid = Grid(width: 40, height: 24)
        state.logitsPane.render(into: &grid, area: grid.bounds, context: state.context)
        return grid.plainText()
    }

    @Test func theCursorViewIsTheDefaultWithoutFlipsAndFollowsT() throws {
        let (app, _) = ExplorerFixtures.settledApp()
        #expect(app.state.logitsView == .atCursor)
        ExplorerFixtures.press([.char("g"), .char("l"), .char("l"), .char("l"), .char("l")], on: app)
        let flips = try #require(app.state.currentFlips)
        #expect(flips.stepLogits.count == 1 && flips.stepLogits[0].count == 28)
        // o_T from the every-step readout is the final logits.
        #expect(zip(flips.stepLogits[0][27], flips.original).allSatisfy { abs($0 - $1) < 1e-9 })
        let atFive = flips.summary(of: flips.stepLogits[0][4])
        let text = Self.paneText(app.state)
        #expect(text.contains("p(o_t) at t 5"))
        #expect(text.contains("pred \(atFive.predicted)  p " + Format.fixed(atFive.probabilities[atFive.predicted], 2)))
        #expect(text.contains("p(\(flips.label)) 0-1 "))
        #expect(text.contains("c: p(o_T)"))
        ExplorerFixtures.press([.char("c")], on: app)
        #expect(app.state.logitsView == .final)
        #expect(Self.paneText(app.state).contains("p(o_T)"))
    }

    /// With flips on (p(o_T) by default), `c` shows o_t; flips presented after t do not act:
    /// before the first flipped pixel the R-flipped logits equal the original's.
    @Test func flipsActOnlyOnceTheyArePresented() throws {
        let (app, _) = ExplorerFixtures.settledApp()
        ExplorerFixtures.press([.char("u")], on: app)
        #expect(app.state.logitsView == .final)
        ExplorerFixtures.press([.char("c")], on: app)
        #expect(app.state.logitsView == .atCursor)
        let flips = try #require(app.state.currentFlips)
        #expect(flips.stepLogits.count == 3)
        let firstFlip = try #require(flips.rFlippedPixels.map { app.state.model.stepOfPixel[$0] }.min())
        for t in 1..<firstFlip { #expect(flips.stepLogits[1][t - 1] == flips.stepLogits[0][t - 1], "t \(t)") }
        #expect(flips.stepLogits[1][27] != flips.stepLogits[0][27])
        var state = app.state
        state.t = max(firstFlip - 1, 1)
        #expect(Self.paneText(state).contains("0/10 flips act by t · c: p(o_T)"))
    }

    /// The probability bars have a y-scale: 1 at the top, 0 on the axis at the bottom, left of
    /// the bars, and the loss column moves right of them.
    @Test func theProbabilityBarsHaveAScale() throws {
        let (app, _) = ExplorerFixtures.settledApp()
        let lines = Self.paneText(app.state).split(separator: "\n").map(String.init)
        let top = try #require(lines.firstIndex { $0.contains("original") })
        #expect(lines[top + 1].hasPrefix("│1│"), "\(lines[top + 1])")
        let axisBottom = try #require(lines.firstIndex { $0.hasPrefix("│0┤") })
        #expect(axisBottom > top + 1)
        #expect(lines[axisBottom + 1].hasPrefix("│  0 1 2 3 4 5 6 7 8 9"), "\(lines[axisBottom + 1])")
        let lossColumn = try #require(lines[top + 1].range(of: "loss")).lowerBound
        #expect(lines[top + 1].distance(from: lines[top + 1].startIndex, to: lossColumn) == 23)
    }

    /// Beside the scaled bars the Δloss column is 6 wide at 120×40: a small change is shown
    /// in a short exponent form rather than cut off.
    @Test func smallLossChangesFitTheColumn() {
        #expect(LogitsPane.deltaText(0.694, width: 6) == "+0.694")
        #expect(LogitsPane.deltaText(0.00012, width: 6) == "+1e-04")
        #expect(LogitsPane.deltaText(-0.0012, width: 6) == "-1e-03")
        #expect(LogitsPane.deltaText(0.00012, width: 8) == "+0.00012")
    }
}
