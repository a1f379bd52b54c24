import Foundation
import Linalg

extension GatedNetwork {
    /// Mean cross-entropy of o_T and accuracy over `count` labelled sequences, each stepped in
    /// Float64 from the zero state (`finalLogits`), on the pool's workers and summed in index
    /// order (the result does not depend on the worker count). `sample(i)` gives sequence i
    /// (T×I values, step-major), its T and its label.
    public func evaluate(count: Int, pool: WorkerPool,
                         sample: @escaping @Sendable (Int) -> (sequence: [Double], steps: Int, label: Int)) -> (loss: Double, accuracy: Double) {
        precondition(count >= 1, "nothing to evaluate")
        var loss = 0.0, correct = 0
        pool.orderedMap(count: count, { i -> (Double, Bool) in
            let (x, steps, label) = sample(i)
            let logits = finalLogits(sequence: x, steps: steps)
            return (CrossEntropy.loss(logits, label: label), CrossEntropy.predictedClass(logits) == label)
        }, consume: { _, r in
            loss += r.0
            if r.1 { correct += 1 }
        })
        return (loss / Double(count), Double(correct) / Double(count))
    }
}
