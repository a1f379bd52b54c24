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

    /// ∂ℓ/∂θ for ℓ = `loss(o_T)` (its gradient `lossGradient(o_T)`), o_T the final logits of
    /// `steps` inputs (T×I, step-major) from `initialState` (zeros when nil). The slow, clear
    /// path: the forward pass keeps every layer's state and step, the backward pass runs the
    /// cells' adjoints from the top layer down and from t = T back to 1.
    public func gradient(sequence x: [Double], steps: Int, initialState: [Double]? = nil,
                         loss: ([Double]) -> Double, lossGradient: ([Double]) -> [Double]) -> NetworkGradient {
        precondition(x.count == steps * inputSize, "sequence has \(x.count) values, expected T·I = \(steps * inputSize)")
        let offsets = stateOffsets, top = layers.count - 1
        var states = [initialState ?? [Double](repeating: 0, count: stateSize)]
        var trace = [[CellStep]]()
        func input(_ t: Int) -> [Double] { Array(x[(t * inputSize)..<((t + 1) * inputSize)]) }
        for t in 0..<steps {
            let (next, layerSteps) = step(state: states[t], input: input(t))
            states.append(next); trace.append(layerSteps)
        }
        let o = logits(state: states[steps])
        let dO = lossGradient(o)
        let hTop = Array(states[steps][offsets[top]..<(offsets[top] + layers[top].hidden)])
        var grads = layers.map { $0.parameters.map { [Double](repeating: 0, count: $0.values.count) } }
        var delta = [Double](repeating: 0, count: stateSize)
        let dH = matvec(readoutWeights, dO, .transposed)
        for i in dH.indices { delta[offsets[top] + i] = dH[i] }
        for t in stride(from: steps - 1, through: 0, by: -1) {
            var previous = [Double](repeating: 0, count: stateSize)
            var carried: [Double]? = nil
            for k in layers.indices.reversed() {
                let range = offsets[k]..<offsets[k + 1]
                var d = Array(delta[range])
                if let c = carried { for i in c.indices { d[i] += c[i] } }
                let layerInput = k == 0 ? input(t) : Array(trace[t][k - 1].state[0..<layers[k - 1].hidden])
                let adjoint = layers[k].adjoint(trace[t][k], state: Array(states[t][range]), input: layerInput, gradient: d)
                for (b, g) in adjoint.parameters.enumerated() { for i in g.indices { grads[k][b][i] += g[i] } }
                previous.replaceSubrange(range, with: adjoint.state)
                carried = adjoint.input
            }
            delta = previous
        }
        var named = [String: [Double]]()
        for (k, cell) in layers.enumerated() {
            for (b, block) in cell.parameters.enumerated() { named["rnn.\(block.name)_l\(k)"] = grads[k][b] }
        }
        named["fc.weight"] = outerRowMajor(dO, hTop)
        named["fc.bias"] = dO
        return NetworkGradient(parameters: named, initialState: delta, loss: loss(o))
    }

    /// `gradient` for the cross-entropy of the final logits against `label`.
    public func crossEntropyGradient(sequence x: [Double], steps: Int, label: Int, initialState: [Double]? = nil) -> NetworkGradient {
        gradient(sequence: x, steps: steps, initialState: initialState,
                 loss: { CrossEntropy.loss($0, label: label) },
                 lossGradient: { o in
                     var p = CrossEntropy.softmax(o)
                     p[label] -= 1
                     return p
                 })
    }
}
