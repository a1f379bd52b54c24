import Foundation
@testable import RNN
import Testing
import TerminalUI
@testable import Explorer

/// Small values keep their significant digits; axes say 4690, not 4.69e+03; the spread
/// view's footer fits (issue #16, item 14).
@Suite("Number texts")
struct NumberTextTests {
    @Test func smallValuesKeepTwoSignificantDigits() {
        #expect(Format.significant(-2e-5, 4) == "-2.0e-5")
        #expect(Format.significant(-0.0050, 4) == "-0.0050")
        #expect(Format.significant(-0.6826, 4) == "-0.6826")
        #expect(Format.significant(0.00012, 4) == "0.00012")
        #expect(Format.significant(9.96e-6, 4) == "1.0e-5")
        #expect(Format.significant(0, 4) == "0.0000")
        #expect(Format.significant(-.infinity, 4) == "-inf")
        #expect(Format.signed(0.007, 3) == "+0.0070")
        #expect(Format.signed(-2e-5, 3) == "-2.0e-5")
        #expect(Format.signed(0.031, 3) == "+0.031")
    }

    @Test func tinyExponentsAreShownNotRoundedToZero() {
        let spectrum = SpectrumResult(analysisID: 1, directions: 2, totalSteps: 2, logR: [[-4e-5, -1], [0, -1]],
                                      exponents: [[-2e-5, -0.5], [-2e-5, -0.5]])
        var grid = Grid(width: 80, height: 12)
        SpectrumPane(t: 1, spectrum: spectrum, scroll: 0).render(into: &grid, area: grid.bounds, context: RenderContext())
        #expect(grid.plainText().contains("λ1 -2.0e-5  λ2 -0.5000"))
        grid = Grid(width: 60, height: 4)
        RTracePane(t: 1, steps: 2, spectrum: spectrum).render(into: &grid, area: grid.bounds, context: RenderContext())
        #expect(grid.plainText().contains("ln r1 = -4.0e-5"))
    }

    @Test func axisLabelsSayWholeStepsAndThousands() {
        #expect(NumberFormat.compact(4690) == "4690")
        #expect(NumberFormat.compact(46_900) == "46.9k")
        #expect(NumberFormat.compact(4.69e6) == "4.69M")
        #expect(NumberFormat.compact(2e-5) == "2e-5")
        #expect(NumberFormat.compact(-0.00849) == "-0.00849")
        #expect(NumberFormat.compact(1234.5) == "1.23k")
        var status = TrainingStatus()
        status.epochs = 10
        status.batchesPerEpoch = 469
        for step in stride(from: 10, through: 4690, by: 10) {
            status.record(.init(epoch: 0, epochs: 10, batch: 0, batchesPerEpoch: 469, step: step, loss: 1, accuracy: 0.5,
                                samplesPerSecond: 100, etaSeconds: 1))
        }
        var grid = Grid(width: 70, height: 20)
        TrainingPane(status: status, taskName: "rowwise", hidden: 16, trainKey: "t").render(into: &grid, area: grid.bounds,
                                                                                            context: RenderContext())
        let text = grid.plainText()
        #expect(text.contains("4690"))
        #expect(!text.contains("e+0"))
    }

    @Test func theSpreadFooterFits() throws {
        let (app, _) = ExplorerFixtures.settledApp()
        var state = app.state
        state.alignmentView = .spreadByIndex
        let area = try #require(ScreenLayout.make(size: state.size, focus: state.focus, isZoomed: false)?.panes[.alignment])
        var grid = Grid(width: area.width, height: area.height)
        ExplorerScreen.render(.alignment, state: state, into: &grid, area: grid.bounds)
        let footer = grid.rowText(area.height - 2)
        #expect(footer.contains("1/√H = 0.25 · A: heatmap"), "\(footer)")
        #expect(!footer.contains("…"))
    }
}

/// Every chart says its range and explains its glyphs (issue #16, item 8).
@Suite("Chart scales")
struct ChartScaleTests {
    @Test func spectrumBarsAndRTraceSayTheirScales() throws {
        let (app, _) = ExplorerFixtures.settledApp(model: ExplorerFixtures.permutedModel)
        var state = app.state
        state.t = 400
        let spectrum = try #require(state.currentSpectrum)
        let exponents = try #require(spectrum.exponents(atStep: 400))
        var grid = Grid(width: 90, height: 14)
        state.spectrumPane.render(into: &grid, area: grid.bounds, context: state.context)
        let text = grid.plainText()
        let lowest = NumberFormat.compact(min(exponents.filter(\.isFinite).min() ?? 0, 0))
        #expect(text.contains(lowest + "│") || text.contains(lowest + "┤"), "\(text)")
        #expect(text.contains("┤"))
        // Issue 29, item 11: "end block = part of a row" said nothing; every bar fits here, so no range.
        #expect(text.contains("▔ 0 line · │ = t") && !text.contains("end block") && !text.contains(" of 8 ("), "\(text)")
        grid = Grid(width: 90, height: 4)
        state.rTracePane.render(into: &grid, area: grid.bounds, context: state.context)
        let trace = grid.plainText()
        // 88 columns of 784 steps, t = 400 in the middle column.
        #expect(trace.contains("steps 356-443 of 784"), "\(trace)")
        let values = spectrum.firstLogR.filter(\.isFinite)
        #expect(trace.contains("▁ " + NumberFormat.compact(values.min()!) + " to █ " + NumberFormat.compact(values.max()!)))
        #expect(trace.contains("█ t · █ top-10 steps"))
    }
}

/// The export names λ as `ftle spectrum` does (issue #16, item 9).
@Suite("Export keys")
struct ExportKeyTests {
    @Test func spectrumIsLambdaAtTAndFtleAtTIsTheCursor() throws {
        let (app, _) = ExplorerFixtures.settledApp()
        ExplorerFixtures.press([.home, .char("L")], on: app)
        let spectrum = try #require(app.state.currentSpectrum)
        #expect(app.state.t == 11)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(ScreenExporter.jsonText(app.state).utf8)) as? [String: Any])
        func close(_ key: String, _ expected: [Double]?) -> Bool {
            guard let got = object[key] as? [Double], let expected, got.count == expected.count else { return false }
            return zip(got, expected).allSatisfy { abs($0 - $1) < 1e-12 }
        }
        #expect(close("ftle_at_t", spectrum.exponents(atStep: 11)))
        #expect(close("spectrum", spectrum.exponents(atStep: 28)))
        #expect(spectrum.exponents(atStep: 11) != spectrum.exponents(atStep: 28))
    }
}
