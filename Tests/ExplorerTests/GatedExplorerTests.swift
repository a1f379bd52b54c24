import Foundation
import Linalg
import Lyapunov
import MNIST
import RNN
import Testing
import TerminalUI
import TestSupport
@testable import Explorer

/// The explorer on GRU and LSTM models of the row-wise task (issue 14): the header names the
/// cell, K counts state directions (2H for an LSTM), the spectrum is the stepper's, the gate
/// pane takes the alignment pane's place and shows each gate's mean activation — checked at
/// step 1 against the cell's formula written out by hand from s_0 = 0 — and flips and the
/// logits at every step work as for a vanilla model.
@Suite("Explorer on gated models", .serialized)
struct GatedExplorerTests {
    /// A one-layer GRU or LSTM of the row-wise task: I = 28, H = 6, C = 10, seeded weights.
    static func network(_ cell: GatedLayer.Cell) throws -> GatedNetwork {
        var rng = SeededRandom(seed: cell == .gru ? 41 : 42)
        let h = 6, g = cell.gateCount
        func draw(_ rows: Int, _ cols: Int, _ scale: Double) -> Matrix<Double> {
            Matrix(rows: rows, cols: cols, columnMajor: (0..<(rows * cols)).map { _ in scale * rng.nextNormal() })
        }
        let layer = try GatedLayer(cell: cell, inputWeights: draw(g * h, 28, 0.3), recurrentWeights: draw(g * h, h, 0.8),
                                   inputBias: draw(g * h, 1, 0.2).column(0), recurrentBias: draw(g * h, 1, 0.2).column(0))
        var network = try GatedNetwork(layers: [layer], readoutWeights: draw(10, h, 1), readoutBias: draw(10, 1, 0.1).column(0))
        network.imageTask = .rowwise
        return network
    }

    static func settledApp(_ network: GatedNetwork, directions: Int = 32) -> ExplorerApp {
        let scratch = ExplorerFixtures.temporaryDirectory()
        let size = TerminalSize(width: 120, height: 40)
        let state = ExplorerState(model: ModelSummary(network: Network(network), path: "gated.safetensors"), dataset: ExplorerFixtures.testSet,
                                  imageIndex: 0, directions: directions, context: RenderContext(theme: .default),
                                  themeNames: ["dark"], size: size)
        let app = ExplorerApp(terminal: MemoryTerminal(size: size), state: state, model: Network(network),
                              configuration: .init(modelPath: scratch + "/model.safetensors", dataDirectory: ExplorerFixtures.mnistDirectory,
                                                   trainingDirectory: scratch + "/run", exportDirectory: scratch,
                                                   themeDirectory: ExplorerFixtures.themesDirectory))
        app.start()
        app.settle()
        app.renderIfNeeded()
        return app
    }

    static func σ(_ a: Double) -> Double { 1 / (1 + Foundation.exp(-a)) }

    /// Mean gate activations at step 1 from s_0 = 0, by the cell's formula: the recurrent term
    /// is its bias alone (W_hh · 0 = 0).
    static func firstStepGateMeans(_ g: GatedNetwork, image: [Float]) -> [Double] {
        let layer = g.layers[0], h = layer.hidden
        let x = image[0..<28].map(Double.init)
        func preactivation(_ row: Int) -> Double {
            var a = layer.inputBias![row] + layer.recurrentBias![row]
            for j in 0..<28 { a += layer.inputWeights[row, j] * x[j] }
            return a
        }
        func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }
        switch layer.cell {
        case .gru:
            let r = (0..<h).map { σ(preactivation($0)) }
            let z = (0..<h).map { σ(preactivation(h + $0)) }
            let n = (0..<h).map { k in
                var a = layer.inputBias![2 * h + k]
                for j in 0..<28 { a += layer.inputWeights[2 * h + k, j] * x[j] }
                return Foundation.tanh(a + r[k] * layer.recurrentBias![2 * h + k])
            }
            return [mean(r), mean(z), mean(n)]
        case .lstm:
            return [mean((0..<h).map { σ(preactivation($0)) }), mean((0..<h).map { σ(preactivation(h + $0)) }),
                    mean((0..<h).map { Foundation.tanh(preactivation(2 * h + $0)) }), mean((0..<h).map { σ(preactivation(3 * h + $0)) })]
        }
    }

    @Test(arguments: GatedLayer.Cell.allCases)
    func gatedModelsExplore(cell: GatedLayer.Cell) throws {
        let network = try Self.network(cell)
        let app = Self.settledApp(network)
        let n = network.stateSize
        #expect(n == (cell == .lstm ? 12 : 6))
        #expect(app.state.directions == n)   // K = min(32, N)
        #expect(HeaderBar.text(app.state).contains("\(cell.rawValue.uppercased()) H 6"))
        let spectrum = try #require(app.state.currentSpectrum)
        #expect(spectrum.isComplete && spectrum.directions == n)
        // The spectrum is the stepper's on the same sequence.
        let image = ExplorerFixtures.testSet.image(0)
        let reference = try LyapunovTrace(network: Network(network), sequence: image.map(Double.init), steps: 28, k: n)
        #expect(spectrum.logR == reference.logR)
        // Gate means: names in PyTorch's order, step 1 against the hand-written cell.
        #expect(spectrum.gateNames == cell.gateNames)
        #expect(spectrum.gateMeans.count == 28)
        let want = Self.firstStepGateMeans(network, image: image)
        for (a, b) in zip(spectrum.gateMeans[0], want) { #expect(abs(a - b) <= 1e-12) }
        // The alignment slot shows the gates.
        var grid = Grid(width: 60, height: 10)
        app.state.widget(for: .alignment).render(into: &grid, area: grid.bounds, context: app.state.context)
        let text = grid.plainText()
        #expect(text.contains("Gates") && text.contains(cell.rawValue.uppercased()))
        for name in cell.gateNames { #expect(text.contains(name + " ")) }
        // Flips and the logits at every step: o_T of the every-step readout is the final logits.
        ExplorerFixtures.press([.char("u")], on: app)
        let flips = try #require(app.state.currentFlips)
        #expect(flips.stepLogits.count == 3 && flips.stepLogits[0].count == 28)
        #expect(zip(flips.stepLogits[0][27], flips.original).allSatisfy { abs($0 - $1) < 1e-12 })
        let direct = network.finalLogits(sequence: image.map(Double.init), steps: 28)
        #expect(zip(flips.original, direct).allSatisfy { abs($0 - $1) < 1e-12 })
        // The alignment (issue 27): the whole recurrent block's singular vectors, in h, against
        // all K = N Q vectors by the true cosine, so each shown singular vector's column of
        // cosines is that unit vector written in the orthonormal basis Q_T: norm 1 (1e-10).
        let alignment = try #require(app.state.currentAlignment)
        #expect(alignment.directions == n && alignment.dimension == network.layers[0].hidden)
        for column in alignment.singularIndices.indices {
            let norm = (0..<n).map { alignment.cosine(q: $0, column: column) }.map { $0 * $0 }.reduce(0, +).squareRoot()
            #expect(abs(norm - 1) < 1e-10, "column \(column): \(norm)")
        }
    }

    /// A vanilla model with standardized inputs: the logits at every step see the pixels as the
    /// network does, so o_T of the every-step readout is the final logits (before this was
    /// fixed, the every-step readout fed raw pixels to a model trained on standardized ones).
    @Test func perStepLogitsUseTheInputStandardization() throws {
        var model = ExplorerFixtures.rowwiseModel
        model.inputStandardization = .mnist
        let (app, _) = ExplorerFixtures.settledApp(model: model)
        ExplorerFixtures.press([.char("u")], on: app)
        let flips = try #require(app.state.currentFlips)
        for n in 0..<3 {
            #expect(zip(flips.stepLogits[n][27], [flips.original, flips.rFlipped ?? [], flips.randomFlipped ?? []][n])
                .allSatisfy { abs($0 - $1) < 1e-9 })
        }
    }
}
