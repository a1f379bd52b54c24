import Analysis
import Foundation
import Linalg
import Lyapunov
import RNN
import Testing
import TestSupport

/// `perturb --inputs`: steps ranked by ln r_t^1 and replaced by a baseline.
@Suite struct StepSensitivityTests {
    func setAndModel() -> (SequenceSet, RNNModel<Double>) {
        var rng = SeededRandom(seed: 17)
        let n = 6, steps = 8, i = 2
        let values = (0..<(n * steps * i)).map { _ in rng.nextNormal() }
        let set = SequenceSet(count: n, steps: steps, inputSize: i, values: values, labels: (0..<n).map { $0 % 3 })
        let m = RNNModel<Double>(inputSize: i, hidden: 7, classes: 3, initialization: .pytorch, seed: 5)
        return (set, m)
    }

    /// The ranked steps are the top-k of ln r_t^1, the ranked logits are those of the sequence
    /// with x_t replaced by the baseline at those steps (computed here by hand), and with k = T
    /// every random subset is the ranked set.
    @Test(arguments: [StepBaseline.zero, .mean])
    func perturbsTheTopSteps(_ baseline: StepBaseline) throws {
        let (set, m) = setAndModel()
        var o = SensitivityStudy.Options()
        o.images = 4; o.ks = [2, 8]; o.randomSubsets = 5
        let study = try SensitivityStudy(model: m, sequences: set, baseline: baseline, options: o)
        #expect(study.images.count == 4 && study.table.count == 2)
        var mean = [Double](repeating: 0, count: 16)
        for s in 0..<set.count { for (j, v) in set.sequence(s).enumerated() { mean[j] += v / 6 } }
        for r in study.images {
            let x = set.sequence(r.index)
            let logR1 = try LyapunovTrace(model: m, sequence: x, steps: 8, k: 1).logR.map { $0[0] }
            let top2 = Array((0..<8).sorted { logR1[$0] > logR1[$1] }.prefix(2))
            #expect(r.perK[0].rankedPixels == top2)
            var y = x
            for t in top2 { for i in 0..<2 { y[2 * t + i] = baseline == .zero ? 0 : mean[2 * t + i] } }
            let o = m.finalLogits(SequenceBatch<Double>(sequences: [y], labels: [0], steps: 8, inputSize: 2)).column(0)
            #expect(relativeError(r.perK[0].rankedLogits, o) < 1e-14)
            #expect(abs(r.perK[0].rankedLossDifference - (CrossEntropy.loss(o, label: r.label) - r.originalLoss)) < 1e-12)
            #expect(r.perK[1].randomLossDifferences.allSatisfy { abs($0 - r.perK[1].rankedLossDifference) < 1e-12 })
        }
    }
}
