import Linalg

extension Network {
    /// The gradient of ⟨W, D_t Z⟩ with respect to s_{t−1} and every parameter block, W and Z
    /// (N×K) held fixed: how the one-step tangent map moves with the state and the weights,
    /// the second-order term of the gradient of the Lyapunov exponents (`Network.flossing…`
    /// in the Lyapunov module). `layerSteps` is the step taken from `previous` with input x.
    ///
    /// Layer by layer, with the stacking of `tangent` ((D Z)_k = A_k Z_k + B_k Y_{k−1}, Y_{k−1}
    /// the h-rows of (D Z)_{k−1}): the effective left factor of layer k is
    /// G_k = W_k + [B_{k+1}ᵀ G_{k+1}]_h (as in `tangentTransposed`); each layer's
    /// `tangentBilinearGradient(left: G_k, right: Z_k, input: Y_{k−1})` gives its own blocks and
    /// s^k part directly, and its input part is a cotangent on layer k − 1's new h, carried
    /// to s_{t−1} and the lower layers' blocks by `stepAdjoint`.
    ///
    /// Returns ∂/∂s_{t−1} (N) and, per layer, each block's gradient (row-major, as `parameters`).
    public func tangentBilinearGradient(_ layerSteps: [CellStep], state previous: [Double], input x: [Double],
                                        left w: Matrix<Double>, right z: Matrix<Double>) -> (state: [Double], parameters: [[[Double]]]) {
        precondition(w.rows == stateSize && z.rows == stateSize && w.cols == z.cols,
                     "W is \(w.rows)×\(w.cols), Z \(z.rows)×\(z.cols); expected N×K with N = \(stateSize)")
        let offsets = stateOffsets
        func layerInput(_ k: Int) -> [Double] { k == 0 ? x : Array(layerSteps[k - 1].state[0..<layers[k - 1].hidden]) }
        // Input directions Y_{k−1} of each layer (nil for layer 0).
        var directions = [Matrix<Double>?](repeating: nil, count: layers.count)
        for k in layers.indices.dropLast() {
            let range = offsets[k]..<offsets[k + 1]
            let y = layers[k].tangent(layerSteps[k], state: Array(previous[range]), z.rowBlock(range), input: directions[k])
            directions[k + 1] = y.rowBlock(0..<layers[k].hidden)
        }
        var out = [Double](repeating: 0, count: stateSize)
        var parameters = [[[Double]]](repeating: [], count: layers.count)
        var carriedCotangent = [Double](repeating: 0, count: stateSize)   // on s_t, from the layers' input parts
        var carried: Matrix<Double>? = nil   // B_{k+1}ᵀ G_{k+1}
        for k in layers.indices.reversed() {
            let range = offsets[k]..<offsets[k + 1]
            var g = w.rowBlock(range)
            if let c = carried { g.addToRowBlock(0, c) }
            let own = Array(previous[range])
            let part = layers[k].tangentBilinearGradient(layerSteps[k], state: own, input: layerInput(k),
                                                         left: g, right: z.rowBlock(range), input: directions[k])
            out.replaceSubrange(range, with: part.state)
            parameters[k] = part.parameters
            if k > 0 {
                let below = offsets[k - 1]
                for i in part.input.indices { carriedCotangent[below + i] += part.input[i] }
                carried = layers[k].tangentTransposed(layerSteps[k], state: own, g, needsInput: true).input
            }
        }
        guard layers.count > 1 else { return (out, parameters) }
        let chained = stepAdjoint(layerSteps, state: previous, input: x, gradient: carriedCotangent)
        for i in out.indices { out[i] += chained.state[i] }
        for k in parameters.indices {
            for b in parameters[k].indices { for i in parameters[k][b].indices { parameters[k][b][i] += chained.parameters[k][b][i] } }
        }
        return (out, parameters)
    }
}
