import Linalg

extension GatedLayer {
    /// One step of the adjoint (backward) recursion through this layer, matrix-free.
    ///
    /// Given δ = ∂ℓ/∂s' for the step's new state s' (S values: h' for a GRU, [h'; c'] for an
    /// LSTM), returns
    /// - `previous` = ∂ℓ/∂s = D_tᵀ δ (S values), D_t = ∂s'/∂s the step's state Jacobian
    ///   (`jacobians(state:input:step:)`; the tests hold the two together);
    /// - `recurrentBlocks`: for each gate block k (PyTorch's order: r, z, n or i, f, g, o) the
    ///   gradient with respect to that block's recurrent pre-activation u_k = W_hk h (+ b_hk),
    ///   H values each. Since ∂u_k/∂W_hk is h ⊗ I, the step's contribution to ∂ℓ/∂W_hk is
    ///   `recurrentBlocks[k] · hᵀ`, h the first H entries of `state`.
    ///
    /// GRU: g_k = slope_k ⊙ δh (slopes as in ∂h'/∂h); ∂ℓ/∂h = Σ_k W_hkᵀ g_k + z ⊙ δh.
    /// LSTM: δc̃ = δc' + tanh'-path ⊙ δh'; g_{i,f,g} = slope ⊙ δc̃, g_o = slope_o ⊙ δh';
    /// ∂ℓ/∂h = Σ_k W_hkᵀ g_k, ∂ℓ/∂c = f ⊙ δc̃.
    /// `step` must be `self.step(state: state, input: x)` for the step's input x.
    public func adjoint(state: [Double], step: Step, gradient delta: [Double]) -> (previous: [Double], recurrentBlocks: [[Double]]) {
        let h = hidden
        precondition(state.count == stateSize && delta.count == stateSize, "state or adjoint size")
        let sl = slopes(state: state, step: step)
        let blocks: [[Double]]
        var previousC: [Double] = []
        switch cell {
        case .gru:
            let deltaH = delta
            blocks = [sl.r, sl.z, sl.n].map { slope in (0..<h).map { slope[$0] * deltaH[$0] } }
        case .lstm:
            let deltaH = Array(delta[0..<h])
            let deltaC = (0..<h).map { delta[h + $0] + sl.throughC[$0] * deltaH[$0] }
            blocks = [sl.i, sl.f, sl.g].map { slope in (0..<h).map { slope[$0] * deltaC[$0] } }
                + [(0..<h).map { sl.o[$0] * deltaH[$0] }]
            let f = step.gates[1]
            previousC = (0..<h).map { f[$0] * deltaC[$0] }
        }
        // Σ_k W_hkᵀ g_k is one product with W_hh (G·H × H) transposed.
        var previousH = matvec(recurrentWeights, blocks.flatMap { $0 }, .transposed)
        if cell == .gru {
            let z = step.gates[1]
            for i in 0..<h { previousH[i] += z[i] * delta[i] }
        }
        return (previousH + previousC, blocks)
    }
}
