import Analysis
import Explorer
import Foundation
import Linalg
import Lyapunov
import RNN
import Testing
import TerminalUI

@Suite("Alignment basis toggle", .serialized)
struct AlignmentBasisToggleTests {
    /// `C` switches the alignment pane to the covariant Lyapunov vectors: the title says "(CLV)"
    /// and the rows are v_i. At the start (t = T = 28, outside steps W+1…T−W = 8…21) the pane
    /// says where the CLVs are; at t = 11 its cosines equal v_k · e_j formed here from the
    /// stored-frame CLVs (`CovariantLyapunovVectors`, K = 16, W = 7, C_T seed 1, h_0 = 0) and an
    /// SVD of ΔV_11 (1e-9), and its min-angle trace is clv's `min_angle`. `C` again returns to
    /// the Q vectors' title and cosines.
    @Test func cTogglesTheAlignmentPaneToCovariantVectors() throws {
        let model = ExplorerFixtures.rowwiseModel
        let (app, _) = ExplorerFixtures.settledApp()
        let before = try #require(app.screen).plainText()
        #expect(!before.contains("(CLV)"))
        let qResult = try #require(app.state.currentAlignment)
        ExplorerFixtures.press([.char("C")], on: app)
        #expect(app.state.alignmentBasis == .clv)
        #expect(app.state.t == 28)
        let outside = try #require(app.screen).plainText()
        #expect(outside.contains("(CLV)"))
        #expect(outside.contains("CLVs exist at steps 8-21"))
        ExplorerFixtures.press([.char("g"), .char("L")], on: app)
        #expect(app.state.t == 11)
        let text = try #require(app.screen).plainText()
        #expect(text.contains("(CLV)") && text.contains("v1"))
        let result = try #require(app.state.currentAlignment)
        #expect(result.basis == .clv && result.t == 11 && result.note == nil)

        let k = app.state.directions
        let sequence = model.sequence(ofImage: app.state.image).map(Double.init)
        let clv = try CovariantLyapunovVectors(network: Network(model), sequence: sequence, steps: 28, k: k, at: [11], window: 7, seed: 1)
        let prefix = try BlockPrefixGradients(network: Network(model), block: WeightBlock(layer: 0), sequence: Array(sequence[0..<(11 * 28)]),
                                              steps: 11, label: app.state.label, initialState: nil)
        let f = try svd(prefix.gradient(atStep: 11), mode: .thin)
        let v = try #require(clv.vectors[11])
        var worst = 0.0
        for i in 0..<k {
            for (column, j) in result.singularIndices.enumerated() {
                var dot = 0.0
                for r in 0..<16 { dot += v[r, i] * f.vt[j, r] }
                worst = max(worst, abs(dot - result.cosine(q: i, column: column)))
            }
        }
        #expect(!result.singularIndices.isEmpty && worst <= 1e-9, "largest difference \(worst)")
        // The min-angle trace: clv's min_angle from step W+1 = 8 on (1e-12), drawn under the heatmap.
        let angles = try #require(result.minAngles)
        #expect(angles.steps == 8...21 && angles.radians.count == clv.minAngles.count - 1)
        #expect(zip(angles.radians, clv.minAngles.dropFirst()).allSatisfy { abs($0 - $1) <= 1e-12 })
        #expect(text.contains("min angle"))

        ExplorerFixtures.press([.char("C")], on: app)
        #expect(app.state.alignmentBasis == .q)
        let back = try #require(app.screen).plainText()
        #expect(!back.contains("(CLV)"))
        let q = try #require(app.state.currentAlignment)
        #expect(q.basis == .q && q.t == 11 && q.cosines != result.cosines)
        #expect(qResult.basis == .q)
    }
}
