import Analysis
import Foundation
import Linalg
import RNN
import Testing
import TerminalUI
@testable import Explorer

/// A stacked ReLU model of the row-wise MNIST task opens on images (issue 13: any I, H, L, tanh
/// or ReLU): the header lists both layers and N, the alignment pane says why it
/// is empty, and up flips change o_T exactly as the written-out forward pass on the flipped image.
@Suite("Explorer on a stacked MNIST model", .serialized)
struct StackedMNISTExplorerTests {
    static func model() -> RNNModel<Double> {
        var rng = SeededRandom(seed: 31)
        func matrix(_ r: Int, _ c: Int, _ scale: Double) -> Matrix<Double> {
            Matrix(rows: r, cols: c, columnMajor: (0..<(r * c)).map { _ in scale * rng.nextNormal() })
        }
        func vector(_ n: Int) -> [Double] { (0..<n).map { _ in 0.1 * rng.nextNormal() } }
        let upper = RecurrentLayer(u: matrix(5, 6, 0.5), v: matrix(5, 5, 0.4), b: vector(5))
        var m = RNNModel<Double>(u: matrix(6, 28, 0.3), v: matrix(6, 6, 0.4), b: vector(6), w: matrix(10, 5, 1.0), c: vector(10),
                                 task: .rowwise, upperLayers: [upper])
        m.nonlinearity = .relu
        return m
    }

    @Test func stackedReluModelOnImages() throws {
        let m = Self.model()
        let (app, _) = ExplorerFixtures.settledApp(model: m)
        let grid = try #require(app.screen)
        // K 6: the fixture state asks for min(H_1, 32) directions (the launcher's default is min(N, 32)).
        #expect(grid.rowText(0).contains("rowwise · relu H 6,5 · N 11 · K 6 · D"), "\(grid.rowText(0))")
        let screen = (0..<grid.height).map(grid.rowText).joined(separator: "\n")
        #expect(screen.contains("┌ Digit"))
        #expect(screen.contains("q1 ") && screen.contains("rank "), "\(screen)")
        #expect(app.state.engineError == nil)
        ExplorerFixtures.press([.char("u")], on: app)
        let flips = try #require(app.state.currentFlips)
        let flipped = Sensitivity.flipped(app.state.image, pixels: flips.rFlippedPixels)
        for (logits, image) in [(flips.original, app.state.image), (try #require(flips.rFlipped), flipped)] {
            let reference = SequenceExplorerTests.referenceLogits(m, m.sequence(ofImage: image).map(Double.init), steps: 28)
            #expect(zip(logits, reference[27]).allSatisfy { abs($0 - $1) < 1e-12 })
        }
        // `t` trains it as any MNIST model (AnyModelTrainingTests runs such a training).
        #expect(app.state.trainingRefusal == nil)
    }
}
