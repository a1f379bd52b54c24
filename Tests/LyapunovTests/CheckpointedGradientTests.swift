import Foundation
import Linalg
import Lyapunov
import RNN
import TestSupport
import Testing

/// The checkpointed gradient through Q and R (recomputing frames from stepper copies) against
/// the stored path (every Q_t and R_t kept, the vanilla closed form): every cut gives the same
/// bits (replaying a stepper copy is deterministic), and the stored path's values to 1e-13
/// relative (the checkpointed path takes φ′ from each cell's own step, the stored path from
/// the stepper's h_t, which may differ in the last bit), for several ways of cutting the
/// sequence, both losses, a random h_0 and Q_0, and a T that no cut divides evenly.
@Suite struct CheckpointedGradientTests {
    static let cuts = [GradientThroughQR.Checkpointing(fanOut: 2, leafSteps: 1), .init(fanOut: 3, leafSteps: 4),
                       .init(fanOut: 5, leafSteps: 7), .init(fanOut: 3, leafSteps: 100)]

    @Test(arguments: GradientThroughQR.LossKind.allCases)
    func equalsTheStoredPath(loss: GradientThroughQR.LossKind) throws {
        var rng = SeededRandom(seed: 23)
        let h = 9, steps = 61
        let model = modelWith(v: .gaussian(rows: h, cols: h, std: 1.3 / Double(h).squareRoot(), using: &rng), bias: true)
        let seq = (0..<steps).map { _ in rng.nextNormal() }
        let h0 = (0..<h).map { _ in rng.nextNormal() }
        let trace = try LyapunovTrace(model: model, sequence: seq, steps: steps, initialState: h0,
                                      initialFrame: .random(seed: 5), keepFrames: true)
        let stored = GradientThroughQR.recurrentWeightGradient(model: model, trace: trace, label: 3, loss: loss)
        #expect(stored.frobeniusNorm > 1e-6, "a non-trivial gradient")
        var first: Matrix<Double>? = nil
        for cut in Self.cuts {
            let checkpointed = try GradientThroughQR.recurrentWeightGradient(model: model, sequence: seq, steps: steps, label: 3, loss: loss,
                                                                             initialState: h0, initialFrame: .random(seed: 5), checkpointing: cut)
            #expect(relativeError(checkpointed, stored) < 1e-13, "fan-out \(cut.fanOut), leaf \(cut.leafSteps)")
            if let first { #expect(checkpointed.storage == first.storage, "fan-out \(cut.fanOut), leaf \(cut.leafSteps)") }
            first = first ?? checkpointed
        }
    }

    /// The plan's arithmetic: levels and passes for the shipped permuted model's T = 784.
    @Test func planForThePermutedModel() {
        let plan = GradientThroughQR.Checkpointing()
        #expect(plan.levels(steps: 784) == 4)   // 784 → 262 → 88 → 30 → 10
        #expect(plan.passes(steps: 784) == 5)
        #expect(plan.levels(steps: 10) == 0)
        // ≈ 0.2 GB at H = 512 instead of 2·T·H² doubles (3.3 GB).
        #expect(plan.peakBytes(hidden: 512, steps: 784) < 0.4e9)
    }
}
