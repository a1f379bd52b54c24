import Linalg
import MNIST
import RNN
import Testing
import TestSupport

/// BPTT against central finite differences on a tiny network (H = 5, I = 3, B = 2; T = 6, and
/// T = 70 so the forward and backward passes run in chunks of 32, 32 and 6 steps), Float64. With ε = 1e-6 the central difference has truncation error O(ε²) ≈ 1e-12 and
/// rounding error O(1e-16/ε) ≈ 1e-10 on O(1) losses, so every entry must agree to within
/// 1e-6 relative plus 1e-9 absolute (the absolute part covers the rounding floor, which
/// dominates for the small entries of the T = 70 gradients).
@Suite struct GradientTests {
    static func tinyProblem(seed: UInt64, steps: Int = 6) -> (RNNModel<Double>, SequenceBatch<Double>, Matrix<Double>) {
        var rng = SeededRandom(seed: seed)
        var model = RNNModel<Double>(task: .rowwise, hidden: 5, initialization: .pytorch, seed: seed)
        // A 3-input model: replace U with a 5×3 matrix; scale V up so the dynamics are not trivial.
        model.u = .gaussian(rows: 5, cols: 3, std: 0.8, using: &rng)
        model.v = .gaussian(rows: 5, cols: 5, std: 0.7, using: &rng)
        model.b = (0..<5).map { _ in 0.2 * rng.nextNormal() }
        let seqs = (0..<2).map { _ in (0..<(3 * steps)).map { _ in Float(rng.nextUniform()) } }
        let batch = SequenceBatch<Double>(sequences: seqs, labels: [3, 7], steps: steps, inputSize: 3)
        let h0 = Matrix<Double>.gaussian(rows: 5, cols: 2, std: 0.5, using: &rng)
        return (model, batch, h0)
    }

    /// Mean over the batch of the last-step loss, or of the sum over all steps of the step losses.
    static func loss(_ m: RNNModel<Double>, _ batch: SequenceBatch<Double>, _ h0: Matrix<Double>, allSteps: Bool) -> Double {
        let trace = m.forward(batch, initialState: h0, logitsAtEveryStep: true)
        let b = batch.batchSize
        if !allSteps { return CrossEntropy.evaluate(trace.logits, columns: trace.block(batch.steps - 1), labels: batch.labels).loss }
        return (0..<batch.steps).map { CrossEntropy.evaluate(trace.logits, columns: (($0) * b)..<(($0 + 1) * b), labels: batch.labels).loss }.reduce(0, +)
    }

    static func analytic(_ m: RNNModel<Double>, _ batch: SequenceBatch<Double>, _ h0: Matrix<Double>, allSteps: Bool) -> RNNGradients<Double> {
        let trace = m.forward(batch, initialState: h0, logitsAtEveryStep: true)
        let b = batch.batchSize, t = batch.steps
        var gO = Matrix<Double>(rows: 10, cols: allSteps ? b * t : b)
        if allSteps {
            for s in 0..<t {
                _ = CrossEntropy.evaluate(trace.logits, columns: (s * b)..<((s + 1) * b), labels: batch.labels,
                                          scale: 1 / Double(b), gradient: &gO, gradientColumns: (s * b)..<((s + 1) * b))
            }
        } else {
            _ = CrossEntropy.evaluate(trace.logits, columns: trace.block(t - 1), labels: batch.labels, scale: 1 / Double(b), gradient: &gO)
        }
        var grads = RNNGradients<Double>(hidden: m.hidden, inputSize: m.inputSize)
        var ws = BackwardWorkspace<Double>(hidden: m.hidden, batchSize: b, steps: t)
        m.backward(batch, trace: trace, logitGradients: gO, into: &grads, workspace: &ws)
        return grads
    }

    @Test(arguments: [false, true], [6, 70])
    func everyGradientEntryMatchesCentralDifferences(allSteps: Bool, steps: Int) {
        let (model, batch, h0) = GradientTests.tinyProblem(seed: 42, steps: steps)
        let grads = GradientTests.analytic(model, batch, h0, allSteps: allSteps)
        let names = ["U", "V", "b", "W", "c"]
        var worst = 0.0
        for k in 0..<5 {
            let base = model.parameterArrays
            let numeric = centralDifference({ x in
                var p = base; p[k] = x
                var m = model; m.setParameterArrays(p)
                return GradientTests.loss(m, batch, h0, allSteps: allSteps)
            }, at: base[k].map { $0 }, epsilon: 1e-6)
            let analytic = grads.arrays[k]
            #expect(analytic.count == numeric.count)
            for i in 0..<numeric.count {
                let a = analytic[i], n = numeric[i]
                #expect(abs(a - n) < 1e-6 * abs(n) + 1e-9, "d\(names[k])[\(i)]: analytic \(a), numeric \(n)")
                if abs(n) >= 1e-7 { worst = max(worst, abs(a - n) / abs(n)) }
            }
        }
        print("max relative gradient error (allSteps=\(allSteps), T=\(steps)): \(worst)")
    }

    /// The trace-free inference path gives the trace's o_T exactly (same operations in the
    /// same order), in Float and Double, with and without h_0, in one chunk and in three.
    @Test(arguments: [6, 70])
    func finalLogitsEqualTheTraceLogits(steps: Int) {
        let (model, batch, h0) = GradientTests.tinyProblem(seed: 11, steps: steps)
        for initial in [nil, h0] {
            #expect(model.finalLogits(batch, initialState: initial) == model.forward(batch, initialState: initial).logits)
        }
        let m32 = model.converted(to: Float.self)
        let b32 = SequenceBatch<Float>(sequences: (0..<2).map { n in (0..<steps).flatMap { t in batch.input(step: t, sample: n).map { Float($0) } } },
                                       labels: batch.labels, steps: steps, inputSize: 3)
        #expect(m32.finalLogits(b32) == m32.forward(b32).logits)
        #expect(m32.finalLogits(b32, initialState: h0.converted()) == m32.forward(b32, initialState: h0.converted()).logits)
    }

    @Test func float32ForwardAgreesWithFloat64() {
        let (model, batch, h0) = GradientTests.tinyProblem(seed: 7)
        let m32 = model.converted(to: Float.self)
        let b32 = SequenceBatch<Float>(sequences: (0..<2).map { n in (0..<6).flatMap { t in batch.input(step: t, sample: n).map { Float($0) } } },
                                       labels: batch.labels, steps: 6, inputSize: 3)
        let l64 = model.forward(batch, initialState: h0).logits
        let l32 = m32.forward(b32, initialState: h0.converted()).logits.converted(to: Double.self)
        // Six tanh steps of size-5 products: Float32 rounding ≈ 1e-6 relative.
        #expect(relativeError(l32, l64) < 1e-5)
    }
}
