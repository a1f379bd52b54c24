import Analysis
import Explorer
import Foundation
import Linalg
import RNN
import Statistics
import Testing
import TerminalUI

@Suite("Key sequences", .serialized)
struct KeySequenceTests {
    /// Permuted H = 8: step to t = 100, turn up flips on; the logits pane shows the
    /// prediction for the R-flipped image, which must match an independent forward pass.
    @Test func upFlipsAtStep100ShowThePerturbedPrediction() throws {
        let (app, _) = ExplorerFixtures.settledApp(model: ExplorerFixtures.permutedModel)
        ExplorerFixtures.press([.home] + [Key](repeating: .char("L"), count: 9) + [Key](repeating: .right, count: 9), on: app)
        #expect(app.state.t == 100)
        var text = try #require(app.screen).plainText()
        #expect(text.contains("t 100/784"))
        #expect(!text.contains("R-flipped"))
        ExplorerFixtures.press([.char("u")], on: app)
        let flips = try #require(app.state.currentFlips)
        #expect(flips.request.mode == .up)
        #expect(flips.rFlippedPixels.count == 10)
        // Independently: rank the up candidates by ln r_t^1 of their step, flip, forward.
        let spectrum = try #require(app.state.currentSpectrum)
        let scores = Sensitivity.pixelScores(stepScores: spectrum.firstLogR, task: ExplorerFixtures.permutedModel.task)
        let expectedPixels = Array(Sensitivity.ranking(scores: scores, image: app.state.image, mode: .up).prefix(10))
        #expect(flips.rFlippedPixels == expectedPixels)
        let logits = Sensitivity.logits(model: ExplorerFixtures.permutedModel,
                                        images: [Sensitivity.flipped(app.state.image, pixels: expectedPixels)])[0]
        let predicted = logits.indices.max { logits[$0] < logits[$1] }!
        text = try #require(app.screen).plainText()
        #expect(text.contains("R-flipped pred \(predicted)"))
        #expect(text.contains("k 10 up flips"))
    }

    @Test func nextImageRecomputesEverything() throws {
        let (app, _) = ExplorerFixtures.settledApp()
        let before = try #require(app.state.currentSpectrum)
        ExplorerFixtures.press([.char("n")], on: app)
        #expect(app.state.imageIndex == 1)
        let after = try #require(app.state.currentSpectrum)
        #expect(after.analysisID == app.state.analysisID)
        #expect(after.isComplete)
        #expect(after.logR != before.logR)
        #expect(app.state.currentFlips != nil)
        #expect(app.state.currentAlignment?.t == app.state.t)
        #expect(try #require(app.screen).plainText().contains("test #1"))
    }

    @Test func helpOverlayListsEveryKey() throws {
        let (app, _) = ExplorerFixtures.settledApp()
        ExplorerFixtures.press([.char("?")], on: app)
        let text = try #require(app.screen).plainText()
        #expect(text.contains("┌ keys"))
        #expect(text.contains("next theme"))
        ExplorerFixtures.press([.escape], on: app)
        #expect(try !#require(app.screen).plainText().contains("┌ keys"))
    }

    @Test func themeKeyLoadsTheNextThemeFile() {
        let (app, _) = ExplorerFixtures.settledApp()
        ExplorerFixtures.press([.char("T")], on: app)
        #expect(app.state.context.theme.name == "light")
        #expect(app.state.status?.text == "theme light")
    }

    @Test func brokenThemeFallsBackWithAMessage() throws {
        let directory = ExplorerFixtures.temporaryDirectory()
        try "this is not a theme\n".write(toFile: directory + "/light.theme", atomically: true, encoding: .utf8)
        let (app, _) = ExplorerFixtures.settledApp()
        app.configuration.themeDirectory = URL(fileURLWithPath: directory)
        app.dispatch(.action(.nextTheme))
        #expect(app.state.status?.isWarning == true)
        #expect(app.state.status?.text.contains("using the default theme") == true)
        #expect(app.state.context.theme == .default)
    }
}

@Suite("Engine agrees with the Analysis module", .serialized)
struct EngineAgreementTests {
    /// Q_t re-stepped from a snapshot and ΔV_t give the same cosines as
    /// `SampleAlignment` over the whole stored trace (K = H = 16, so the frames coincide).
    @Test(arguments: [5, 14, 27])
    func alignmentMatchesSampleAlignment(t: Int) throws {
        let (app, _) = ExplorerFixtures.settledApp()
        ExplorerFixtures.press([.end] + [Key](repeating: .left, count: 28 - t), on: app)
        let result = try #require(app.state.currentAlignment)
        #expect(result.t == t)
        let model = ExplorerFixtures.rowwiseModel
        let reference = try SampleAlignment(model: model, sequence: model.task.sequence(app.state.image).map(Double.init),
                                            steps: 28, label: app.state.label, initialState: nil).alignment(atStep: t)
        var largest = 0.0
        for i in 0..<16 {
            for (column, j) in result.singularIndices.enumerated() {
                largest = max(largest, abs(result.cosine(q: i, column: column) - reference[i, j]))
            }
        }
        #expect(largest < 1e-9, "max difference \(largest)")
        // Only singular vectors within ΔV_t's rank (≤ t) are shown: the first five and the last
        // five of the rank, which is computed here from the singular values directly.
        let deltaV = PrefixGradients(model: model, sequence: model.task.sequence(app.state.image).map(Double.init), steps: 28,
                                     label: app.state.label).gradient(atStep: t)
        let s = try svd(deltaV).s
        let rank = s.filter { $0 > 16 * 2.220446049250313e-16 * s[0] }.count
        #expect(result.rank == rank && rank <= t)
        #expect(result.singularIndices == Array(0..<min(5, rank)) + Array(max(rank - 5, min(5, rank))..<rank))
    }
}

@Suite("Alignment spread view", .serialized)
struct AlignmentSpreadTests {
    /// `A` switches to Figure 2's view; its curve is the population std over the first
    /// (last) five singular vectors of each Q vector's cosines, and it agrees (1e-9) with
    /// the same statistic computed from `SampleAlignment`'s full-frame trace, an
    /// independent path (whole stored trace instead of snapshots + replay).
    @Test func spreadMatchesTheFullFrameStatisticAndRenders() throws {
        let (app, terminal) = ExplorerFixtures.settledApp()
        let t = 20
        ExplorerFixtures.press([.end] + [Key](repeating: .left, count: 28 - t) + [.char("A")], on: app)
        #expect(app.state.alignmentView == .spreadByIndex)
        let result = try #require(app.state.currentAlignment)
        #expect(result.t == t)
        let model = ExplorerFixtures.rowwiseModel
        let reference = try SampleAlignment(model: model, sequence: model.task.sequence(app.state.image).map(Double.init),
                                            steps: 28, label: app.state.label, initialState: nil).alignment(atStep: t)
        // ΔV_20 of H = 16 has full rank here, so the trailing five are e12…e16.
        let h = model.hidden
        #expect(result.rank == h)
        for (leading, columns) in [(true, Array(0..<5)), (false, Array((h - 5)..<h))] {
            let spread = result.spreadByIndex(leading: leading)
            #expect(spread.count == result.directions)
            for i in 0..<result.directions {
                let expected = populationStandardDeviation(columns.map { reference[i, $0] })
                #expect(abs(spread[i] - expected) < 1e-9, "q\(i + 1) leading=\(leading): \(spread[i]) vs \(expected)")
            }
        }
        let screen = try #require(terminal.screen).plainText()
        #expect(screen.contains("spread vs q"))
        #expect(screen.contains("1/√H = 0.25"))   // H = 16
        ExplorerFixtures.press([.char("A")], on: app)
        #expect(app.state.alignmentView == .heatmap)
    }
}
