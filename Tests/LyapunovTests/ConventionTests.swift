import Foundation
import Linalg
import Lyapunov
import RNN
import Testing
import TestSupport

/// The transposed convention and the incremental trace, against independent paths (Float64).
@Suite struct ConventionTests {
    func sequence(_ n: Int, seed: UInt64) -> [Double] { randomSequence(n, seed: seed) }

    /// Under `transposed`, at every step Q_t R_t = D_tᵀ Q_{t−1} (1e-12 relative) with D_t formed
    /// here from h_t and V by plain loops, Q_t is orthonormal (1e-12) and diag(R_t) ≥ 0; h_t is
    /// the same as under `forward` (the convention moves only the frame). K = H and K < H.
    @Test(arguments: [nil, 4] as [Int?])
    func transposedFactorisation(k: Int?) throws {
        let model = randomModel(h: 10, seed: 3)
        var stepper = LyapunovStepper(model: model, k: k, initialFrame: .random(seed: 8), jacobian: .transposed)
        var forward = LyapunovStepper(model: model, k: k, initialFrame: .random(seed: 8))
        for x in sequence(50, seed: 2) {
            let qPrev = stepper.q
            try stepper.step(input: [x])
            try forward.step(input: [x])
            // The same update; only K < H rounds differently (its V h comes out of the fused V·[Q | h]).
            #expect(zip(stepper.h, forward.h).allSatisfy { abs($0 - $1) < 1e-14 })
            var dT = Matrix<Double>(rows: 10, cols: 10)
            for i in 0..<10 { for j in 0..<10 { dT[j, i] = model.v[i, j] * (1 - stepper.h[i] * stepper.h[i]) } }
            #expect(orthonormalityError(stepper.q) < 1e-12)
            #expect(relativeError(matmul(stepper.q, stepper.r), matmul(dT, qPrev)) < 1e-12)
            #expect(stepper.r.diagonal.allSatisfy { $0 >= 0 })
        }
    }

    /// With the full frame, Σ_k ln r_t^k = ln |det D_t| under both conventions (det Dᵀ = det D):
    /// the two spectra sum to the same value at every step (1e-9), though the exponents differ.
    @Test func fullFrameVolumeIsTheSameUnderBothConventions() throws {
        let model = randomModel(h: 8, seed: 4)
        let seq = sequence(30, seed: 6)
        let f = try LyapunovTrace(model: model, sequence: seq, steps: 30)
        let t = try LyapunovTrace(model: model, sequence: seq, steps: 30, jacobian: .transposed)
        for s in 0..<30 {
            #expect(abs(f.logR[s].reduce(0, +) - t.logR[s].reduce(0, +)) < 1e-9)
        }
        #expect(zip(f.spectrum, t.spectrum).contains { abs($0 - $1) > 1e-3 }, "the conventions give different exponents")
    }

    /// A trace advanced in uneven pieces equals one computed at once (bit for bit), and its
    /// frames from snapshots equal stored frames (bit for bit) at every step.
    @Test(arguments: [JacobianConvention.forward, .transposed])
    func incrementalTraceAndSnapshotFrames(jacobian: JacobianConvention) throws {
        let model = randomModel(h: 9, seed: 5)
        let seq = sequence(37, seed: 3)
        let whole = try LyapunovTrace(model: model, sequence: seq, steps: 37, k: 4, keepFrames: true, jacobian: jacobian)
        var pieces = try LyapunovTrace(model: model, sequence: seq, steps: 37, k: 4, jacobian: jacobian,
                                       snapshotInterval: 5, computeNow: false)
        #expect(pieces.stepsDone == 0)
        for n in [1, 7, 3, 30] { try pieces.advance(by: n) }
        #expect(pieces.isComplete && pieces.stepsDone == 37)
        #expect(pieces.logR == whole.logR && pieces.states == whole.states && pieces.participationRatios == whole.participationRatios)
        for t in 0...37 { #expect(try pieces.frame(atStep: t) == whole.frame(atStep: t)) }
        #expect(pieces.stateMatrix(throughStep: 3).column(3) == whole.states[3])
    }
}
