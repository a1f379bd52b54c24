import Foundation
import Linalg
import MNIST

/// Gradients of a stacked vanilla RNN (L ≥ 1 layers), one array per trained parameter in
/// `RNNModel.trainedParameterArrays` order: dU¹, dV¹, db¹, dW, dc, then dUᵏ, dVᵏ, dbᵏ for
/// k = 2…L (matrices column-major, shaped as the parameters).
public struct StackedGradients<T: LinalgScalar>: Sendable {
    /// dU_k (H_k × I_k), dV_k (H_k × H_k), db_k (H_k) of layer k = 1…L (index k − 1).
    public var layers: [(u: Matrix<T>, v: Matrix<T>, b: [T])]
    /// dW (C × H_L), dc (C).
    public var w: Matrix<T>
    public var c: [T]

    /// In `RNNModel.trainedParameterArrays` order.
    public var arrays: [[T]] {
        [layers[0].u.storage, layers[0].v.storage, layers[0].b, w.storage, c] + layers.dropFirst().flatMap { [$0.u.storage, $0.v.storage, $0.b] }
    }

    /// Indices of the recurrent biases b_k in `arrays`.
    public static func biasIndices(layers: Int) -> [Int] { [2] + (1..<max(layers, 1)).map { 5 + 3 * ($0 - 1) + 2 } }
}

extension RNNModel {
    /// Backpropagation through time and through the stack, for any L ≥ 1 and φ, one layer at a
    /// time from the top (the clear path; the single-layer fast path is `backward(…)`):
    ///
    ///     g_h^L(T) += Wᵀ g_o                                  (the readout reads h^L_T)
    ///     for k = L…1, t = T…1:
    ///         g_h^k(t) = e^k(t) + V_kᵀ g_a^k(t+1)              (g_a^k(T+1) = 0)
    ///         g_a^k(t) = g_h^k(t) ⊙ φ′(a^k_t)                 (φ′ from h^k_t)
    ///     e^{k−1}(t) = U_kᵀ g_a^k(t)                           (what layer k−1 receives)
    ///     dV_k = Σ_t g_a^k(t) h^k_{t−1}ᵀ,  dU_k = Σ_t g_a^k(t) x^k_tᵀ,  db_k = Σ_t g_a^k(t)
    ///     dW = g_o h^L_Tᵀ,  dc = Σ g_o
    ///
    /// with x^1_t = x_t, x^k_t = h^{k−1}_t, and e^L(t) = 0 except at T. `trace` is this batch's
    /// forward trace (`forward(_:into:)`), `logitGradient` ∂L/∂o_T (C × B).
    public func stackedBackward(_ batch: SequenceBatch<T>, trace: ForwardTrace<T>, logitGradient gO: Matrix<T>) -> StackedGradients<T> {
        let bsz = trace.batchSize, steps = trace.steps
        precondition(gO.rows == classes && gO.cols == bsz, "logit gradient must be C×B")
        let all = layers, states = [trace.states] + trace.upperStates
        // e: ∂L/∂h^k_t arriving from outside layer k's recurrence, H_k × (B·T), block t−1 ↔ step t.
        var e = Matrix<T>(rows: outputHidden, cols: bsz * steps)
        gemm(.transposed, w, .none, gO, into: &e, columns: ((steps - 1) * bsz)..<(steps * bsz))
        var layerGradients: [(u: Matrix<T>, v: Matrix<T>, b: [T])] = []
        for k in stride(from: all.count - 1, through: 0, by: -1) {
            let layer = all[k], h = layer.hidden, s = states[k]
            var gA = Matrix<T>(rows: h, cols: bsz * steps)
            var gH = Matrix<T>(rows: h, cols: bsz)
            for t in stride(from: steps, through: 1, by: -1) {
                let local = ((t - 1) * bsz)..<(t * bsz)
                // g_h(t) = e(t) + V_kᵀ g_a(t+1)
                gH.storage.withUnsafeMutableBufferPointer { dst in
                    e.storage.withUnsafeBufferPointer { src in dst.baseAddress!.update(from: src.baseAddress! + local.lowerBound * h, count: h * bsz) }
                }
                if t < steps { gemm(.transposed, layer.v, .none, gA, bColumns: (t * bsz)..<((t + 1) * bsz), beta: 1, into: &gH) }
                // g_a(t) = g_h(t) ⊙ φ′, φ′ read from h_t (block t of the states)
                if nonlinearity == .tanh {
                    tanhBackward(gH, columns: 0..<bsz, h: s, columns: (t * bsz)..<((t + 1) * bsz), into: &gA, columns: local)
                } else {
                    let phi = nonlinearity, offset = local.lowerBound * h, stateOffset = t * bsz * h
                    gH.storage.withUnsafeBufferPointer { pg in
                        s.storage.withUnsafeBufferPointer { ps in
                            gA.storage.withUnsafeMutableBufferPointer { pa in
                                for i in 0..<(h * bsz) { pa[offset + i] = pg[i] * phi.derivative(output: ps[stateOffset + i]) }
                            }
                        }
                    }
                }
            }
            var dV = Matrix<T>(rows: h, cols: h), dU = Matrix<T>(rows: h, cols: layer.inputSize), db = [T](repeating: 0, count: h)
            gemm(.none, gA, .transposed, s, bColumns: 0..<(bsz * steps), into: &dV)
            if k == 0 {
                gemm(.none, gA, .transposed, batch.inputs, into: &dU)
            } else {
                gemm(.none, gA, .transposed, states[k - 1], bColumns: bsz..<(bsz * (steps + 1)), into: &dU)
                e = Matrix<T>(rows: layer.inputSize, cols: bsz * steps)
                gemm(.transposed, layer.u, .none, gA, into: &e)
            }
            accumulateRowSums(gA, into: &db)
            layerGradients.insert((dU, dV, db), at: 0)
        }
        var dW = Matrix<T>(rows: classes, cols: outputHidden), dc = [T](repeating: 0, count: classes)
        gemm(.none, gO, .transposed, trace.outputStates, bColumns: trace.block(steps), into: &dW)
        accumulateRowSums(gO, into: &dc)
        return StackedGradients(layers: layerGradients, w: dW, c: dc)
    }
}

/// One optimisation step of a stacked vanilla RNN (any L, any φ): forward (`forward(_:into:)`),
/// loss (cross-entropy of o_T), backward (`stackedBackward`), clip, update — the clear
/// reference path, which on one layer agrees with `TrainingStep` to rounding (the tests check).
///
/// Each recurrent bias b_k stands for `biasMode.multiplicity` PyTorch parameters (bias_ih_l{k}
/// and bias_hh_l{k}), as in `TrainingStep`: it counts that many times in the clipped norm and
/// moves that many steps; a bias-free model keeps every b_k at 0.
public struct StackedTrainingStep<T: LinalgScalar>: ModelTrainingStep {
    var trace: ForwardTrace<T>
    let classes: Int, upperHidden: [Int]

    public init(model: RNNModel<T>, steps: Int, batchSize: Int) {
        classes = model.classes
        upperHidden = model.upperLayers.map(\.hidden)
        trace = ForwardTrace(hidden: model.hidden, batchSize: batchSize, steps: steps, classes: classes, upperHidden: upperHidden)
    }

    public mutating func run(_ batch: SequenceBatch<T>, model: inout RNNModel<T>, optimizer: inout OptimizerState<T>,
                             clip: Double, lossReduction: LossReduction) -> (loss: Double, correct: Int) {
        if batch.batchSize != trace.batchSize {
            trace = ForwardTrace(hidden: model.hidden, batchSize: batch.batchSize, steps: batch.steps, classes: classes, upperHidden: upperHidden)
        }
        // forward
        model.forward(batch, into: &trace)
        // loss
        var gO = Matrix<T>(rows: classes, cols: batch.batchSize)
        let lossScale = lossReduction == .mean ? 1 / Double(batch.batchSize) : 1
        let (loss, correct) = CrossEntropy.evaluate(trace.logits, labels: batch.labels, scale: lossScale, gradient: &gO)
        guard loss.isFinite else { return (loss, correct) }
        // backward
        var g = model.stackedBackward(batch, trace: trace, logitGradient: gO).arrays
        // clip (each b_k counted once per PyTorch bias it stands for; none for a bias-free model)
        let copies = model.biasMode.multiplicity, biases = StackedGradients<T>.biasIndices(layers: model.layerCount)
        if copies == 0 { for k in biases { g[k] = [T](repeating: 0, count: g[k].count) } }
        let norm = (g.map { sumOfSquares($0) }.reduce(0, +) + Double(max(copies - 1, 0)) * biases.map { sumOfSquares(g[$0]) }.reduce(0, +)).squareRoot()
        if clip > 0 && norm > clip { for k in g.indices { scale(&g[k], by: T(clip / (norm + 1e-6))) } }
        // update: b_k moves once per bias it stands for
        var p = model.trainedParameterArrays
        let before = p
        optimizer.apply(gradientArrays: g, to: &p)
        for k in biases {
            for i in p[k].indices { p[k][i] = before[k][i] + T(copies) * (p[k][i] - before[k][i]) }
        }
        model.setTrainedParameterArrays(p)
        return (loss, correct)
    }
}
