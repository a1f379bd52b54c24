import Foundation
import Linalg
import Lyapunov
import RNN

extension Bench {
    /// The `floss` workload: one flossing gradient (`Network.flossingGradient`, Float64, one
    /// sequence of T steps, K exponents, forward convention, on a random tanh RNN with I = 1,
    /// V ~ N(0, 1.5²/H)) against one training step (`TrainingStep`, Float32, Adam, a batch of
    /// --batch sequences of the same T, one shard); best seconds per call over --repeat runs
    /// of --batches calls each, their ratio, and the flossing gradient's working set
    /// (`Network.flossingPeakBytes`). Defaults: H = 64, T = 20, K = 4, batch 64 (the README's
    /// delayed-xor experiment).
    func flossWorkload() throws -> [String: Any] {
        let h = hidden ?? 64, t = steps ?? 20, kk = k ?? 4, calls = batches ?? 20
        guard kk <= h else { throw UsageError("--k \(kk) exceeds --hidden \(h)") }
        var rng = SeededRandom(seed: 0)
        let cell = Elman(u: .gaussian(rows: h, cols: 1, using: &rng), v: .gaussian(rows: h, cols: h, std: 1.5 / Double(h).squareRoot(), using: &rng),
                         b: [Double](repeating: 0, count: h))
        let network = try Network(layers: [cell], readoutWeights: .gaussian(rows: 2, cols: h, using: &rng), readoutBias: [0, 0])
        let x = (0..<t).map { _ in rng.nextNormal() }
        var model = RNNModel<Float>(inputSize: 1, hidden: h, classes: 2, initialization: .pytorch, seed: 0)
        let data = SequenceBatch<Float>(sequences: (0..<batch).map { _ in (0..<t).map { _ in Float(rng.nextNormal()) } },
                                        labels: (0..<batch).map { _ in Int(rng.next() % 2) }, steps: t, inputSize: 1)
        var flossBest = Double.infinity, trainBest = Double.infinity, value = 0.0
        for _ in 0..<`repeat` {
            var start = monotonicSeconds()
            for _ in 0..<calls { value = try network.flossingGradient(sequence: x, steps: t, k: kk).value }
            flossBest = min(flossBest, (monotonicSeconds() - start) / Double(calls))
            var optimizer = OptimizerState<Float>(kind: .adam, learningRate: 1e-3, shapesOf: model)
            var step = TrainingStep<Float>(hidden: h, inputSize: 1, steps: t, batchSize: batch, classes: 2, shards: 1)
            _ = step.run(data, model: &model, optimizer: &optimizer, clip: 0)   // warm-up
            start = monotonicSeconds()
            for _ in 0..<calls { _ = step.run(data, model: &model, optimizer: &optimizer, clip: 0) }
            trainBest = min(trainBest, (monotonicSeconds() - start) / Double(calls))
        }
        return ["hidden": h, "steps": t, "k": kk, "batch": batch, "calls": calls, "floss_seconds": flossBest,
                "train_step_seconds": trainBest, "floss_over_train_step": flossBest / trainBest, "objective": value,
                "floss_bytes": Network.flossingPeakBytes(stateSize: h, k: kk, steps: t, layers: 1)]
    }
}
