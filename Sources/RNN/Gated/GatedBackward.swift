import Linalg

/// Gradients of a loss with respect to every parameter of a `GatedModel`, shaped like them:
/// weight_ih (G·H)×I, weight_hh (G·H)×H, bias_ih and bias_hh G·H, fc.weight C×H, fc.bias C.
public struct GatedGradients<T: LinalgScalar>: Sendable {
    public var inputWeights: Matrix<T>
    public var recurrentWeights: Matrix<T>
    public var inputBias: [T]
    public var recurrentBias: [T]
    public var readoutWeights: Matrix<T>
    public var readoutBias: [T]

    public init(cell: GatedLayer.Cell, hidden h: Int, inputSize i: Int, classes: Int = 10) {
        let rows = cell.gateCount * h
        inputWeights = Matrix(rows: rows, cols: i); recurrentWeights = Matrix(rows: rows, cols: h)
        inputBias = [T](repeating: 0, count: rows); recurrentBias = inputBias
        readoutWeights = Matrix(rows: classes, cols: h); readoutBias = [T](repeating: 0, count: classes)
    }

    /// In `GatedModel.parameterArrays` order.
    public var arrays: [[T]] {
        get { [inputWeights.storage, recurrentWeights.storage, inputBias, recurrentBias, readoutWeights.storage, readoutBias] }
        set {
            inputWeights.storage = newValue[0]; recurrentWeights.storage = newValue[1]; inputBias = newValue[2]
            recurrentBias = newValue[3]; readoutWeights.storage = newValue[4]; readoutBias = newValue[5]
        }
    }
}

/// Reused buffers of the gated backward pass.
public struct GatedBackwardWorkspace<T: LinalgScalar>: Sendable {
    /// ∂L/∂(W_ih x_t + b_ih) for the steps of one chunk: (G·H) × (B·chunk).
    public internal(set) var inputGradients: Matrix<T>
    /// GRU: ∂L/∂(W_hh h_{t−1} + b_hh) for the chunk (differs from the above in the n block,
    /// which r multiplies); 0×0 for an LSTM, whose two are equal.
    public internal(set) var recurrentGradients: Matrix<T>
    /// ∂L/∂h_t and (LSTM) ∂L/∂c_t of the step being processed: H × B.
    public internal(set) var stateGradient: Matrix<T>
    public internal(set) var cellGradient: Matrix<T>

    public init(cell: GatedLayer.Cell, hidden h: Int, batchSize b: Int, steps: Int) {
        let chunk = ForwardTrace<T>.chunkSteps(forSteps: steps), rows = cell.gateCount * h
        inputGradients = Matrix(rows: rows, cols: b * chunk)
        recurrentGradients = cell == .gru ? Matrix(rows: rows, cols: b * chunk) : Matrix(rows: 0, cols: 0)
        stateGradient = Matrix(rows: h, cols: b)
        cellGradient = Matrix(rows: cell == .lstm ? h : 0, cols: cell == .lstm ? b : 0)
    }
}

extension GatedModel {
    /// BPTT of a loss on o_T. `logitGradient` is ∂L/∂o_T (C × B); the gradients are written
    /// (not accumulated) into `grads`. With a, ã the input and recurrent pre-activations
    /// (W_ih x + b_ih, W_hh h + b_hh), D(·) diagonal, σ′ = σ(1 − σ), per step t = T…1:
    ///
    ///     GRU:  g_n = g_h ⊙ (1 − z) ⊙ (1 − n²);   g_z = g_h ⊙ (h_{t−1} − n) ⊙ σ′(z);
    ///           g_r = g_n ⊙ (W_hn h_{t−1} + b_hn) ⊙ σ′(r)
    ///           ∂L/∂a = [g_r; g_z; g_n],  ∂L/∂ã = [g_r; g_z; r ⊙ g_n]
    ///           g_h(t−1) = z ⊙ g_h + W_hhᵀ ∂L/∂ã
    ///     LSTM: g_c ← g_c + g_h ⊙ o ⊙ (1 − tanh² c_t)
    ///           ∂L/∂a = ∂L/∂ã = [g_c ⊙ g ⊙ σ′(i); g_c ⊙ c_{t−1} ⊙ σ′(f); g_c ⊙ i ⊙ (1 − g²); g_h ⊙ tanh c_t ⊙ σ′(o)]
    ///           g_c(t−1) = f ⊙ g_c,  g_h(t−1) = W_hhᵀ ∂L/∂ã
    ///
    /// starting from g_h(T) = Wᵀ ∂L/∂o_T, g_c(T) = 0; then dW_ih = Σ_t ∂L/∂a_t x_tᵀ,
    /// dW_hh = Σ_t ∂L/∂ã_t h_{t−1}ᵀ, the biases their row sums (one GEMM each per chunk of
    /// steps), dW = ∂L/∂o_T h_Tᵀ, dc = row sums of ∂L/∂o_T.
    public func backward(_ batch: SequenceBatch<T>, trace: GatedTrace<T>, logitGradient gO: Matrix<T>,
                         into grads: inout GatedGradients<T>, workspace ws: inout GatedBackwardWorkspace<T>) {
        var none: Matrix<T>? = nil
        backward(batch, trace: trace, logitGradient: gO, externalStateGradients: nil, into: &grads, workspace: &ws, inputGradients: &none)
    }

    /// The same BPTT for one layer of a stack (`GatedStackedTrainingStep`): `external` (H × (B·T),
    /// block t−1 for step t), when given, is ∂L/∂h_t from outside the layer's recurrence (the
    /// layer above), added to g_h(t) before step t's backward; `inputGradients` (I × (B·T)),
    /// when not nil, receives ∂L/∂x_t = W_ihᵀ ∂L/∂a_t, what the layer below gets.
    func backward(_ batch: SequenceBatch<T>, trace: GatedTrace<T>, logitGradient gO: Matrix<T>, externalStateGradients external: Matrix<T>?,
                  into grads: inout GatedGradients<T>, workspace ws: inout GatedBackwardWorkspace<T>, inputGradients gX: inout Matrix<T>?) {
        let bsz = trace.batchSize, steps = trace.steps, h = hidden, rows = gateRows
        precondition(gO.rows == classes && gO.cols == bsz && steps >= 1, "logit gradient must be C×B")
        let chunk = trace.chunkSteps
        precondition(ws.inputGradients.cols == bsz * chunk && ws.inputGradients.rows == rows && ws.stateGradient.cols == bsz,
                     "workspace shape")
        gemm(.transposed, readoutWeights, .none, gO, into: &ws.stateGradient)
        if cell == .lstm { for k in 0..<ws.cellGradient.storage.count { ws.cellGradient.storage[k] = 0 } }
        for k in 0..<rows { grads.inputBias[k] = 0; grads.recurrentBias[k] = 0 }
        var last = steps
        while last >= 1 {
            let first = max(last - chunk + 1, 1)
            for t in stride(from: last, through: first, by: -1) {
                let local = (t - first) * bsz
                if let external {
                    let offset = (t - 1) * bsz * h
                    ws.stateGradient.storage.withUnsafeMutableBufferPointer { g in
                        external.storage.withUnsafeBufferPointer { e in for i in 0..<(h * bsz) { g[i] += e[offset + i] } }
                    }
                }
                GatedKernels.backwardStep(cell: cell, hidden: h, batchSize: bsz, gates: trace.gates, auxiliary: trace.auxiliary,
                                          states: trace.states, cells: trace.cells, stepColumn: (t - 1) * bsz,
                                          inputGradients: &ws.inputGradients, recurrentGradients: &ws.recurrentGradients,
                                          gradientColumn: local, stateGradient: &ws.stateGradient, cellGradient: &ws.cellGradient)
                guard t > 1 else { continue }   // h_0 is not a parameter
                let beta: T = cell == .gru ? 1 : 0   // the GRU's step already wrote z ⊙ g_h
                if cell == .gru {
                    gemm(.transposed, recurrentWeights, .none, ws.recurrentGradients, bColumns: local..<(local + bsz), beta: beta,
                         into: &ws.stateGradient)
                } else {
                    gemm(.transposed, recurrentWeights, .none, ws.inputGradients, bColumns: local..<(local + bsz), beta: beta,
                         into: &ws.stateGradient)
                }
            }
            let g = 0..<((last - first + 1) * bsz), chunkColumns = ((first - 1) * bsz)..<(last * bsz)
            let beta: T = last == steps ? 0 : 1
            let recurrentG = cell == .gru ? ws.recurrentGradients : ws.inputGradients
            gemm(.none, ws.inputGradients, aColumns: g, .transposed, batch.inputs, bColumns: chunkColumns, beta: beta,
                 into: &grads.inputWeights)
            gemm(.none, recurrentG, aColumns: g, .transposed, trace.states, bColumns: chunkColumns, beta: beta,
                 into: &grads.recurrentWeights)
            accumulateRowSums(ws.inputGradients, columns: g, into: &grads.inputBias)
            accumulateRowSums(recurrentG, columns: g, into: &grads.recurrentBias)
            if gX != nil { gemm(.transposed, inputWeights, .none, ws.inputGradients, bColumns: g, into: &gX!, columns: chunkColumns) }
            last = first - 1
        }
        gemm(.none, gO, .transposed, trace.states, bColumns: trace.block(steps), into: &grads.readoutWeights)
        for k in 0..<grads.readoutBias.count { grads.readoutBias[k] = 0 }
        accumulateRowSums(gO, into: &grads.readoutBias)
    }

    /// Mean cross-entropy of o_T over `batch`, its gradients and the number correct
    /// (allocating; the trainer reuses buffers through `GatedTrainingStep`).
    public func lossAndGradients(_ batch: SequenceBatch<T>) -> (loss: Double, correct: Int, gradients: GatedGradients<T>) {
        let trace = forward(batch)
        var gO = Matrix<T>(rows: classes, cols: batch.batchSize)
        let (loss, correct) = CrossEntropy.evaluate(trace.logits, labels: batch.labels, scale: 1 / Double(batch.batchSize), gradient: &gO)
        var grads = GatedGradients<T>(cell: cell, hidden: hidden, inputSize: inputSize, classes: classes)
        var ws = GatedBackwardWorkspace<T>(cell: cell, hidden: hidden, batchSize: batch.batchSize, steps: batch.steps)
        backward(batch, trace: trace, logitGradient: gO, into: &grads, workspace: &ws)
        return (loss, correct, grads)
    }
}

extension GatedKernels {
    /// The element-wise part of one backward step (see `GatedModel.backward`) for B samples:
    /// reads step t's gates and auxiliary values and h_{t−1} (c_{t−1}) at `stepColumn`
    /// (= (t − 1)·B) and g_h (and g_c) of step t; writes ∂L/∂a (and, GRU, ∂L/∂ã) at
    /// `gradientColumn` of the chunk buffers, and leaves z ⊙ g_h (GRU) in `stateGradient` and
    /// g_c(t−1) (LSTM) in `cellGradient`.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func backwardStep<T: LinalgScalar>(cell: GatedLayer.Cell, hidden h: Int, batchSize bsz: Int,
                                              gates: Matrix<T>, auxiliary: Matrix<T>, states: Matrix<T>, cells: Matrix<T>, stepColumn: Int,
                                              inputGradients: inout Matrix<T>, recurrentGradients: inout Matrix<T>, gradientColumn: Int,
                                              stateGradient: inout Matrix<T>, cellGradient: inout Matrix<T>) {
        let rows = cell.gateCount * h
        gates.storage.withUnsafeBufferPointer { pGates in
        auxiliary.storage.withUnsafeBufferPointer { pAux in
        states.storage.withUnsafeBufferPointer { pStates in
        cells.storage.withUnsafeBufferPointer { pCells in
        inputGradients.storage.withUnsafeMutableBufferPointer { pIn in
        recurrentGradients.storage.withUnsafeMutableBufferPointer { pRec in
        stateGradient.storage.withUnsafeMutableBufferPointer { pGH in
        cellGradient.storage.withUnsafeMutableBufferPointer { pGC in
            for j in 0..<bsz {
                let column = stepColumn + j
                let g = pGates.baseAddress! + column * rows, aux = pAux.baseAddress! + column * h
                let gh = pGH.baseAddress! + j * h, dA = pIn.baseAddress! + (gradientColumn + j) * rows
                switch cell {
                case .gru:
                    let hPrev = pStates.baseAddress! + column * h, dR = pRec.baseAddress! + (gradientColumn + j) * rows
                    for k in 0..<h {
                        let r = g[k], z = g[h + k], n = g[2 * h + k], gk = gh[k]
                        let gn = gk * (1 - z) * (1 - n * n)
                        let gz = gk * (hPrev[k] - n) * (z * (1 - z))
                        let gr = gn * aux[k] * (r * (1 - r))
                        dA[k] = gr; dA[h + k] = gz; dA[2 * h + k] = gn
                        dR[k] = gr; dR[h + k] = gz; dR[2 * h + k] = r * gn
                        gh[k] = z * gk
                    }
                case .lstm:
                    let cPrev = pCells.baseAddress! + column * h, gc = pGC.baseAddress! + j * h
                    for k in 0..<h {
                        let i = g[k], f = g[h + k], gg = g[2 * h + k], o = g[3 * h + k], tc = aux[k], gk = gh[k]
                        let gck = gc[k] + gk * o * (1 - tc * tc)
                        dA[k] = gck * gg * (i * (1 - i))
                        dA[h + k] = gck * cPrev[k] * (f * (1 - f))
                        dA[2 * h + k] = gck * i * (1 - gg * gg)
                        dA[3 * h + k] = gk * tc * (o * (1 - o))
                        gc[k] = gck * f
                    }
                }
            }
        }}}}}}}}
    }
}
