import Analysis
import Foundation
import Linalg
import Lyapunov
import MNIST
import RNN
import Testing
import TestSupport

/// The reference code's R values and the shared random subsets, against independent paths.
@Suite struct PaperCodeSensitivityTests {
    /// `ReferenceCodeR` (one vector, O(H²) a step) against the reference code's own procedure
    /// done in full here: the whole H×H frame, explicit J_t = diag(1/cosh a_t)·V matrices with
    /// the state reset each step, Q ← J_tᵀ Q over the warm-up, then a Householder QR of the
    /// frame and Q_t R_t = J_t Q_{t−1} (LAPACK, sign-fixed) each step: ln r_t^1 agree to 1e-10.
    /// T = 210 > 200 warm-up steps, H = 12.
    @Test func referenceRValuesMatchTheFullFrameProcedure() throws {
        var rng = SeededRandom(seed: 9)
        var model = RNNModel<Double>(task: .rowwise, hidden: 12, initialization: .xavierNormal, seed: 2)
        model.u = .gaussian(rows: 12, cols: 2, std: 0.7, using: &rng)
        model.b = (0..<12).map { _ in 0.3 * rng.nextNormal() }
        let steps = 210
        let seq = (0..<(2 * steps)).map { _ in rng.nextUniform() }
        let fast = ReferenceCodeR.logR1(model: model, sequence: seq, steps: steps)

        func jacobian(_ t: Int, _ state: [Double]) -> (Matrix<Double>, [Double]) {
            var j = Matrix<Double>(rows: 12, cols: 12)
            var next = [Double](repeating: 0, count: 12)
            for i in 0..<12 {
                var ux = model.b[i]
                for c in 0..<2 { ux += model.u[i, c] * seq[2 * t + c] }
                var a = ux
                for c in 0..<12 { a += model.v[i, c] * state[c] }
                for c in 0..<12 { j[i, c] = model.v[i, c] / Foundation.cosh(a) }
                next[i] = Foundation.tanh(ux)
            }
            return (j, next)
        }
        var state = [Double](repeating: 0, count: 12)
        var q = Matrix<Double>.identityColumns(12, 12)
        for t in 0..<200 {
            let (j, next) = jacobian(t, state)
            q = matmul(j, q, .transposed, .none)
            state = next
        }
        q = try thinQR(q).q
        var reference: [Double] = []
        for t in 0..<steps {
            let (j, next) = jacobian(t, state)
            let f = try thinQR(matmul(j, q))
            reference.append(Foundation.log(f.r[0, 0]))
            q = f.q
            state = next
        }
        #expect(zip(fast, reference).allSatisfy { abs($0 - $1) < 1e-10 })
    }

    /// Shared subsets: every image sees the same random pixels for a k (mode both); per-image
    /// subsets differ. k_effective is the number of pixels the ranking flipped.
    @Test func sharedRandomSubsetsAreTheSameForEveryImage() throws {
        let model = RNNModel<Float>(task: .rowwise, hidden: 8, initialization: .pytorch, seed: 1)
        var o = SensitivityStudy.Options.paperCode
        o.images = 3; o.ks = [5]; o.randomSubsets = 4
        let shared = try SensitivityStudy(model: model, data: testImages, options: o)
        // With the same subsets, the random flips of every image change the same pixels: an
        // image's random logits differ from its original only through those positions, so we
        // check the subsets directly by recomputing them.
        let subsets = Sensitivity.randomSubsets(candidates: Array(0..<784), k: 5, count: 4, seed: o.seed ^ 5)
        for im in shared.images {
            let image = testImages.image(im.index)
            let logits = Sensitivity.logits(model: model, images: [Sensitivity.flipped(image, pixels: subsets[0])])[0]
            // Float32 logits from batches of different sizes round differently: 1e-4 (a flip
            // of 5 other pixels moves them by far more).
            #expect(zip(logits, im.perK[0].randomLogits).allSatisfy { abs($0 - $1) < 1e-4 })
            #expect(im.perK[0].rankedPixels.count == 5)
        }
        // The check can fail: another subset's logits are farther than the tolerance.
        let other = shared.images.map { im in
            Sensitivity.logits(model: model, images: [Sensitivity.flipped(testImages.image(im.index), pixels: subsets[1])])[0]
        }
        #expect(zip(other, shared.images).contains { o, im in zip(o, im.perK[0].randomLogits).contains { abs($0 - $1) > 1e-3 } })
        #expect(shared.table[0].kEffective == 5)
        var up = o; up.mode = .up
        #expect(throws: NoFlipCandidates.self) { try SensitivityStudy(model: model, data: testImages, options: up) }
    }

    /// k above every image's candidates: k_effective is the most candidates of any image.
    @Test func kEffectiveCountsTheCandidates() throws {
        let model = RNNModel<Float>(task: .rowwise, hidden: 8, initialization: .pytorch, seed: 1)
        var o = SensitivityStudy.Options()
        o.images = 2; o.ks = [700]; o.randomSubsets = 2; o.mode = .down
        let s = try SensitivityStudy(model: model, data: testImages, options: o)
        let lit = (0..<2).map { n in testImages.image(n).filter { $0 >= Sensitivity.darkThreshold }.count }
        #expect(s.table[0].kEffective == lit.max()!)
        #expect(s.markdownTable().contains("| 700* | \(lit.max()!) |"))
    }
}
