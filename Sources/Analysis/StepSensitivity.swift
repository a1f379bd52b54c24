import Foundation
import Linalg
import Lyapunov
import RNN
import Statistics

/// What replaces x_t at a perturbed step of a sequence that is not an MNIST pixel task.
public enum StepBaseline: String, Sendable, CaseIterable {
    /// x_t ← 0.
    case zero
    /// x_t ← the mean of x_t over the whole set (per step and input).
    case mean
}

extension SensitivityStudy {
    /// The input-sensitivity experiment on any labelled sequences (`perturb --inputs`): steps,
    /// not pixels, are ranked by the score (from h_0 = 0, Float64, `options.jacobian`); for each
    /// k the top-k steps and `randomSubsets` seeded random k-subsets of the candidate steps
    /// (all, or `options.steps`) have x_t replaced by `baseline`. Everything else — the loss
    /// differences CE(perturbed) − CE(original), Table 1's Welch and z statistics — is as for
    /// images; `rankedPixels` then holds 0-based steps. Sequences 0..<options.images of `set`.
    public init<T: LinalgScalar>(model: RNNModel<T>, sequences set: SequenceSet, baseline: StepBaseline, options: Options,
                                 progress: (Int, Int) -> Void = { _, _ in }) throws {
        try self.init(analysis: Network(model.converted(to: Double.self)), classes: model.classes, sequences: set, baseline: baseline,
                      options: options, progress: progress) { xs in
            let batch = SequenceBatch<T>(sequences: xs, labels: [Int](repeating: 0, count: xs.count), steps: set.steps, inputSize: set.inputSize)
            let o = model.finalLogits(batch)
            return (0..<xs.count).map { o.column($0).map { Double($0) } }
        }
    }

    /// The same experiment on a GRU or LSTM (any depth): its traces, scores and logits in Float64.
    public init(network: GatedNetwork, sequences set: SequenceSet, baseline: StepBaseline, options: Options,
                progress: (Int, Int) -> Void = { _, _ in }) throws {
        try self.init(analysis: Network(network), classes: network.classes, sequences: set, baseline: baseline,
                      options: options, progress: progress) { xs in
            xs.map { network.finalLogits(sequence: $0, steps: set.steps) }
        }
    }

    /// The experiment over `analysis` (traces and scores) with `logits` giving the final logits
    /// of a batch of sequences (T×I values each) in the model's working precision.
    init(analysis: Network, classes: Int, sequences set: SequenceSet, baseline: StepBaseline, options: Options,
         progress: (Int, Int) -> Void, logits: ([[Double]]) -> [[Double]]) throws {
        self.options = options
        let start = monotonicSeconds()
        let count = min(options.images, set.count), len = set.steps * set.inputSize
        let total = count * options.ks.count
        var done = 0
        var meanSequence = [Double](repeating: 0, count: len)
        if baseline == .mean {
            for n in 0..<set.count { for (j, v) in set.sequence(n).enumerated() { meanSequence[j] += v / Double(set.count) } }
        }
        let candidates = options.steps.map { Array(($0.lowerBound - 1)..<min($0.upperBound, set.steps)) } ?? Array(0..<set.steps)
        func perturbed(_ x: [Double], steps: [Int]) -> [Double] {
            var y = x
            for t in steps { for i in 0..<set.inputSize { y[t * set.inputSize + i] = baseline == .zero ? 0 : meanSequence[t * set.inputSize + i] } }
            return y
        }
        for n in 0..<count {
            let x = set.sequence(n), label = set.labels[n]
            let trace = try LyapunovTrace(network: analysis, sequence: x, steps: set.steps,
                                          k: min(options.score.directions, analysis.stateSize), jacobian: options.jacobian)
            let scores = Sensitivity.stepScores(trace, score: options.score)
            // Highest score first; ties (and −∞) by step index.
            let ranking = candidates.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
            let original = logits([x])[0]
            let originalLoss = CrossEntropy.loss(original, label: label)
            var perK: [PerK] = []
            for k in options.ks {
                let ranked = Array(ranking.prefix(k))
                let subsets = Sensitivity.randomSubsets(candidates: candidates, k: k, count: options.randomSubsets,
                                                        seed: options.seed ^ (UInt64(n) << 32) ^ UInt64(k))
                let out = logits([perturbed(x, steps: ranked)] + subsets.map { perturbed(x, steps: $0) })
                let diffs = out.map { CrossEntropy.loss($0, label: label) - originalLoss }
                var meanLogits = [Double](repeating: 0, count: classes)
                for l in out.dropFirst() { for c in 0..<classes { meanLogits[c] += l[c] / Double(max(subsets.count, 1)) } }
                perK.append(PerK(k: k, rankedPixels: ranked, rankedLogits: out[0], rankedLossDifference: diffs[0],
                                 randomLossDifferences: Array(diffs.dropFirst()), randomLogits: out.count > 1 ? out[1] : [],
                                 randomMeanLogits: meanLogits))
                done += 1
                progress(done, total)
            }
            images.append(ImageResult(index: n, label: label, originalLogits: original, originalLoss: originalLoss, perK: perK))
        }
        table = SensitivityStudy.table(images: images, ks: options.ks)
        seconds = monotonicSeconds() - start
    }
}
