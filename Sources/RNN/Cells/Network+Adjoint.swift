import Linalg

/// The gradient of a loss on the final logits with respect to every parameter, by the
/// adjoint (BPTT) through the cells, for one sequence. Keys are PyTorch's names
/// (`rnn.weight_hh_l0`, …, `fc.weight`, `fc.bias`), values in PyTorch's layout (row-major).
public struct NetworkGradient: Sendable {
    /// ∂ℓ/∂θ by parameter name.
    public var parameters: [String: [Double]]
    /// ∂ℓ/∂s_0 (N).
    public var initialState: [Double]
    /// ℓ at the final logits.
    public var loss: Double
    /// o_T, the final logits (C).
    public var finalLogits: [Double]
}

extension Network {
    /// Every parameter of the network with its PyTorch name and values: `rnn.<block>_l{k}`
    /// for each layer's blocks, then `fc.weight` and `fc.bias`.
    public var namedParameters: [ParameterBlock] {
        layers.enumerated().flatMap { k, cell in
            cell.parameters.map { ParameterBlock(name: "rnn.\($0.name)_l\(k)", shape: $0.shape, values: $0.values) }
        } + [ParameterBlock(name: "fc.weight", matrix: readoutWeights),
             ParameterBlock(name: "fc.bias", shape: [classes], values: readoutBias)]
    }

    /// (layer, block) of the parameter called `name` (`rnn.<block>_l{k}`; nil for the readout
    /// or a name the network does not have).
    public func parameterIndex(named name: String) -> (layer: Int, block: Int)? {
        for (k, cell) in layers.enumerated() {
            if let b = cell.parameters.firstIndex(where: { "rnn.\($0.name)_l\(k)" == name }) { return (k, b) }
        }
        return nil
    }

    /// A copy with the values of `namedParameters` replaced (same names, shapes and order).
    public func replacingParameters(_ blocks: [ParameterBlock]) throws -> Network {
        let current = namedParameters
        guard blocks.map(\.name) == current.map(\.name) else { throw CellError("parameter names do not match the network's") }
        for (new, old) in zip(blocks, current) where new.shape != old.shape {
            throw CellError("parameter \(new.name) has shape \(new.shape), the network's is \(old.shape)")
        }
        var copy = self, index = 0
        for k in layers.indices {
            let count = layers[k].parameters.count
            // The cell's own names (without `rnn.` and `_l{k}`), the given values.
            copy.layers[k] = try layers[k].replacingParameters(zip(blocks[index..<(index + count)], layers[k].parameters).map {
                ParameterBlock(name: $1.name, shape: $0.shape, values: $0.values)
            })
            index += count
        }
        copy.readoutWeights = blocks[index].matrix
        copy.readoutBias = blocks[index + 1].values
        return copy
    }

    /// ∂ℓ/∂θ for the cross-entropy against `label` of the final logits o_T (or, with
    /// `lossAtEveryStep`, of every o_t summed), T = `steps` inputs (T×I, step-major) from
    /// `initialState` (zeros when nil). The slow, clear path: the forward pass keeps every
    /// layer's state and step, the backward pass runs `stepAdjoint` from t = T back to 1.
    public func crossEntropyGradient(sequence x: [Double], steps: Int, label: Int, initialState: [Double]? = nil,
                                     lossAtEveryStep: Bool = false) -> NetworkGradient {
        precondition(x.count == steps * inputSize, "sequence has \(x.count) values, expected T·I = \(steps * inputSize)")
        var states = [initialState ?? [Double](repeating: 0, count: stateSize)]
        var trace = [[CellStep]]()
        func input(_ t: Int) -> [Double] { Array(x[(t * inputSize)..<((t + 1) * inputSize)]) }
        for t in 0..<steps {
            let (next, layerSteps) = step(state: states[t], input: input(t))
            states.append(next); trace.append(layerSteps)
        }
        var grads = layers.map { $0.parameters.map { [Double](repeating: 0, count: $0.values.count) } }
        var readoutW = [Double](repeating: 0, count: readoutWeights.count), readoutB = [Double](repeating: 0, count: classes)
        var delta = [Double](repeating: 0, count: stateSize), loss = 0.0
        for t in stride(from: steps, through: 1, by: -1) {
            if lossAtEveryStep || t == steps {
                let (value, dO) = crossEntropy(state: states[t], label: label)
                loss += value
                let top = topHidden(states[t])
                for i in 0..<classes { readoutB[i] += dO[i]; for j in top.indices { readoutW[i * top.count + j] += dO[i] * top[j] } }
                addReadoutAdjoint(dO, into: &delta)
            }
            let adjoint = stepAdjoint(trace[t - 1], state: states[t - 1], input: input(t - 1), gradient: delta)
            for k in grads.indices { for b in grads[k].indices { for i in grads[k][b].indices { grads[k][b][i] += adjoint.parameters[k][b][i] } } }
            delta = adjoint.state
        }
        var named = [String: [Double]]()
        for (k, cell) in layers.enumerated() {
            for (b, block) in cell.parameters.enumerated() { named["rnn.\(block.name)_l\(k)"] = grads[k][b] }
        }
        named["fc.weight"] = readoutW
        named["fc.bias"] = readoutB
        return NetworkGradient(parameters: named, initialState: delta, loss: loss, finalLogits: logits(state: states[steps]))
    }

    /// The adjoint of one whole step s = F(s_prev, x) for δ = ∂ℓ/∂s (N): the layers from the
    /// top down, each receiving its slice of δ plus the input gradient of the layer above.
    /// Returns ∂ℓ/∂s_prev (N) and each layer's parameter-block gradients.
    public func stepAdjoint(_ layerSteps: [CellStep], state previous: [Double], input x: [Double], gradient delta: [Double])
        -> (state: [Double], parameters: [[[Double]]]) {
        let adjoint = factoredStepAdjoint(layerSteps, state: previous, input: x, gradient: delta)
        return (adjoint.state, adjoint.blocks.map { $0.map(\.values) })
    }

    /// `stepAdjoint` with each block's gradient as the cell factors it (`RecurrentCell.factoredAdjoint`:
    /// a weight's as one outer product), so that sums over steps can be one GEMM.
    public func factoredStepAdjoint(_ layerSteps: [CellStep], state previous: [Double], input x: [Double], gradient delta: [Double])
        -> (state: [Double], blocks: [[BlockGradient]]) {
        let offsets = stateOffsets
        var out = [Double](repeating: 0, count: stateSize), blocks = [[BlockGradient]](repeating: [], count: layers.count)
        var carried: [Double]? = nil
        for k in layers.indices.reversed() {
            let range = offsets[k]..<offsets[k + 1]
            var d = Array(delta[range])
            if let c = carried { for i in c.indices { d[i] += c[i] } }
            let layerInput = k == 0 ? x : Array(layerSteps[k - 1].state[0..<layers[k - 1].hidden])
            let adjoint = layers[k].factoredAdjoint(layerSteps[k], state: Array(previous[range]), input: layerInput, gradient: d,
                                                    needsInput: k > 0)
            blocks[k] = adjoint.blocks
            out.replaceSubrange(range, with: adjoint.state)
            carried = adjoint.input
        }
        return (out, blocks)
    }

    /// h_L of the stacked state s.
    public func topHidden(_ s: [Double]) -> [Double] {
        let top = stateOffsets[layers.count - 1]
        return Array(s[top..<(top + layers[layers.count - 1].hidden)])
    }

    /// The cross-entropy of o = W h_L + c against `label` and its gradient softmax(o) − e_label.
    public func crossEntropy(state s: [Double], label: Int) -> (loss: Double, logitGradient: [Double]) {
        let o = logits(state: s)
        var p = CrossEntropy.softmax(o)
        p[label] -= 1
        return (CrossEntropy.loss(o, label: label), p)
    }

    /// Adds Wᵀ ∂ℓ/∂o into the top layer's h-rows of an N-vector (∂ℓ/∂s through the readout).
    public func addReadoutAdjoint(_ logitGradient: [Double], into delta: inout [Double]) {
        let top = stateOffsets[layers.count - 1]
        let dH = matvec(readoutWeights, logitGradient, .transposed)
        for i in dH.indices { delta[top + i] += dH[i] }
    }
}
