import Explorer
import Foundation
import RNN
import Lyapunov
import Testing
import TerminalUI

@Suite("Jacobian toggle", .serialized)
struct JacobianToggleTests {
    /// `J` switches the engine to Q_t R_t = D_tᵀ Q_{t−1}: the header says so and the spectrum
    /// pane's ln r values become those of an independent transposed trace of the same image
    /// (1e-12); `J` again returns to the forward ones.
    @Test func jTogglesTheConventionAndRecomputes() throws {
        let model = ExplorerFixtures.rowwiseModel
        let (app, _) = ExplorerFixtures.settledApp()
        #expect(app.state.jacobian == .forward)
        let forward = try #require(app.state.currentSpectrum)
        ExplorerFixtures.press([.char("J")], on: app)
        #expect(app.state.jacobian == .transposed)
        let text = try #require(app.screen).plainText()
        #expect(text.contains("K 16 · Dᵀ") || text.contains("K 16 | D^T"))
        let transposed = try #require(app.state.currentSpectrum)
        let k = app.state.directions
        let reference = try LyapunovTrace(model: model, sequence: model.sequence(ofImage: app.state.image).map(Double.init),
                                          steps: model.task.steps, k: k, jacobian: .transposed)
        #expect(zip(transposed.firstLogR, reference.logR.map { $0[0] }).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(zip(transposed.firstLogR, forward.firstLogR).contains { abs($0 - $1) > 1e-6 })
        ExplorerFixtures.press([.char("J")], on: app)
        #expect(app.state.jacobian == .forward)
        #expect(try #require(app.state.currentSpectrum).firstLogR == forward.firstLogR)
    }
}
