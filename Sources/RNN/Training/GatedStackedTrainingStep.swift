import Foundation
import Linalg
import MNIST

extension GatedModel {
    /// Layer k (0-based) as a one-layer model: its four parameters, with the real readout on
    /// the top layer and a zero readout below it (whose o_T is 0 and sends no gradient back).
    func layerModel(_ k: Int) -> GatedModel<T> {
        let l = layers[k], top = k == layerCount - 1
        return GatedModel(cell: cell, inputWeights: l.inputWeights, recurrentWeights: l.recurrentWeights, inputBias: l.inputBias,
                          recurrentBias: l.recurrentBias, readoutWeights: top ? readoutWeights : Matrix(rows: classes, cols: hidden),
                          readoutBias: top ? readoutBias : [T](repeating: 0, count: classes), task: nil)
    }

    /// The forward pass through the stack, one layer at a time: layer 1 reads `batch`, layer
    /// k ≥ 2 reads layer k−1's h_1…h_T (as a batch of H inputs per step). Returns each layer's
    /// trace and the batch it read; the top trace's logits are o_T = W h^L_T + c.
    public func stackedForward(_ batch: SequenceBatch<T>) -> (traces: [GatedTrace<T>], inputs: [SequenceBatch<T>]) {
        var inputs = [batch], traces: [GatedTrace<T>] = []
        let b = batch.batchSize, steps = batch.steps
        for k in 0..<layerCount {
            let trace = layerModel(k).forward(inputs[k])
            traces.append(trace)
            if k + 1 < layerCount {
                let states = Matrix<T>(rows: hidden, cols: b * steps, columnMajor: Array(trace.states.storage[(hidden * b)...]))
                inputs.append(SequenceBatch(inputs: states, labels: batch.labels, steps: steps))
            }
        }
        return (traces, inputs)
    }

    /// BPTT through the stack, from the top layer down: each layer's BPTT
    /// (`backward(…externalStateGradients:…inputGradients:)`) with ∂L/∂h^k_t from the layer
    /// above added at every step, and ∂L/∂x^k_t = W_ih,kᵀ ∂L/∂a^k_t passed to the layer below.
    /// `logitGradient` is ∂L/∂o_T (C × B). The gradients come in `trainedParameterArrays` order.
    public func stackedGradients(_ forward: (traces: [GatedTrace<T>], inputs: [SequenceBatch<T>]), logitGradient gO: Matrix<T>) -> [[T]] {
        let b = gO.cols, steps = forward.inputs[0].steps, top = layerCount - 1
        var external: Matrix<T>? = nil
        var perLayer: [GatedGradients<T>] = []
        for k in stride(from: top, through: 0, by: -1) {
            let m = layerModel(k)
            var g = GatedGradients<T>(cell: cell, hidden: hidden, inputSize: m.inputSize, classes: classes)
            var ws = GatedBackwardWorkspace<T>(cell: cell, hidden: hidden, batchSize: b, steps: steps)
            var gX: Matrix<T>? = k > 0 ? Matrix(rows: m.inputSize, cols: b * steps) : nil
            m.backward(forward.inputs[k], trace: forward.traces[k], logitGradient: k == top ? gO : Matrix(rows: classes, cols: b),
                       externalStateGradients: external, into: &g, workspace: &ws, inputGradients: &gX)
            perLayer.insert(g, at: 0)
            external = gX
        }
        let first = perLayer[0], readout = perLayer[top]
        return [first.inputWeights.storage, first.recurrentWeights.storage, first.inputBias, first.recurrentBias,
                readout.readoutWeights.storage, readout.readoutBias]
            + perLayer.dropFirst().flatMap { [$0.inputWeights.storage, $0.recurrentWeights.storage, $0.inputBias, $0.recurrentBias] }
    }

    /// `parameterArrays` (layer 1 and the readout), then weight_ih, weight_hh, bias_ih, bias_hh
    /// of layers 2…L: one layer's order is unchanged, so are its checkpoints.
    public var trainedParameterArrays: [[T]] { parameterArrays + upperLayers.flatMap(\.arrays) }

    /// Replaces the parameters from arrays in `trainedParameterArrays` order (same sizes).
    public mutating func setTrainedParameterArrays(_ p: [[T]]) {
        precondition(p.count == 6 + 4 * upperLayers.count, "parameter count")
        setParameterArrays(Array(p[0..<6]))
        for l in upperLayers.indices {
            let q = Array(p[(6 + 4 * l)..<(10 + 4 * l)])
            precondition(zip(q, upperLayers[l].arrays).allSatisfy { $0.count == $1.count }, "parameter sizes")
            upperLayers[l].inputWeights.storage = q[0]; upperLayers[l].recurrentWeights.storage = q[1]
            upperLayers[l].inputBias = q[2]; upperLayers[l].recurrentBias = q[3]
        }
    }
}

/// One optimisation step of a stacked GRU/LSTM: forward through the stack, cross-entropy of
/// o_T, BPTT through the stack, clip (`clip_grad_norm_` over every parameter), update — each
/// array a PyTorch parameter of its own. One shard; the clear path, whose gradients the tests
/// hold to central differences of `GatedNetwork`'s loss.
public struct GatedStackedTrainingStep<T: LinalgScalar>: ModelTrainingStep {
    public init() {}

    public mutating func run(_ batch: SequenceBatch<T>, model: inout GatedModel<T>, optimizer: inout OptimizerState<T>,
                             clip: Double, lossReduction: LossReduction) -> (loss: Double, correct: Int) {
        // forward
        let forward = model.stackedForward(batch)
        // loss
        var gO = Matrix<T>(rows: model.classes, cols: batch.batchSize)
        let lossScale = lossReduction == .mean ? 1 / Double(batch.batchSize) : 1
        let (loss, correct) = CrossEntropy.evaluate(forward.traces.last!.logits, labels: batch.labels, scale: lossScale, gradient: &gO)
        guard loss.isFinite else { return (loss, correct) }
        // backward
        var g = model.stackedGradients(forward, logitGradient: gO)
        // clip
        clipGradientNorm(arrays: &g, maxNorm: clip)
        // update
        var p = model.trainedParameterArrays
        optimizer.apply(gradientArrays: g, to: &p)
        model.setTrainedParameterArrays(p)
        return (loss, correct)
    }
}
