import Linalg

/// Gradients of a loss with respect to every parameter, shaped like the parameters:
/// dU H×I, dV H×H, db H, dW C×H, dc C (a single-layer model).
public struct RNNGradients<T: LinalgScalar>: Sendable {
    public var u: Matrix<T>
    public var v: Matrix<T>
    public var b: [T]
    public var w: Matrix<T>
    public var c: [T]

    public init(hidden h: Int, inputSize i: Int, classes: Int = 10) {
        u = Matrix(rows: h, cols: i); v = Matrix(rows: h, cols: h); b = [T](repeating: 0, count: h)
        w = Matrix(rows: classes, cols: h); c = [T](repeating: 0, count: classes)
    }

    /// In `RNNModel.parameterArrays` order.
    public var arrays: [[T]] { [u.storage, v.storage, b, w.storage, c] }

    /// Global L2 norm over all parameters (Double accumulation).
    public var norm: Double { arrays.map { sumOfSquares($0) }.reduce(0, +).squareRoot() }

    /// Multiplies every gradient by s.
    public mutating func scale(by s: T) {
        Linalg.scale(&u.storage, by: s); Linalg.scale(&v.storage, by: s); Linalg.scale(&b, by: s)
        Linalg.scale(&w.storage, by: s); Linalg.scale(&c, by: s)
    }
}

/// Reused buffers of the backward pass (no allocation per batch).
public struct BackwardWorkspace<T: LinalgScalar>: Sendable {
    /// ∂L/∂a_t for the steps of one chunk (``ForwardTrace/chunkSteps(forSteps:)``):
    /// H × (B·chunk); the weight gradients are accumulated chunk by chunk.
    public var preactivationGradients: Matrix<T>
    /// ∂L/∂h_t of the step being processed: H × B.
    public var stateGradient: Matrix<T>

    public init(hidden: Int, batchSize: Int, steps: Int) {
        preactivationGradients = Matrix(rows: hidden, cols: batchSize * ForwardTrace<T>.chunkSteps(forSteps: steps))
        stateGradient = Matrix(rows: hidden, cols: batchSize)
    }
}

extension RNNModel {
    /// Backpropagation through time (a single-layer model; φ′ is read from h_t, see
    /// `Nonlinearity.derivative(output:)`).
    ///
    /// `logitGradients` holds ∂L/∂o: C × B for a loss on o_T only, or 10 × (B·T) (block t−1
    /// for o_t) for a loss on every step's readout (requires a trace with every step's
    /// logits; zero blocks are allowed). The chain rule, step by step:
    ///
    ///     g_h(T)  = Wᵀ g_o(T)
    ///     g_a(t)  = g_h(t) ⊙ φ′(a_t)   (1 − h_t² for tanh)   (back through φ)
    ///     g_h(t−1) = Vᵀ g_a(t) + Wᵀ g_o(t−1)                 (back through the recurrence)
    ///     dV = Σ_t g_a(t) h_{t−1}ᵀ,  dU = Σ_t g_a(t) x_tᵀ,  db = Σ_t g_a(t)   (one GEMM each per
    ///                                                         chunk of steps, accumulated)
    ///     dW = Σ_t g_o(t) h_tᵀ,      dc = Σ_t g_o(t)
    ///
    /// Gradients are written (not accumulated) into `grads`.
    public func backward(_ batch: SequenceBatch<T>, trace: ForwardTrace<T>, logitGradients gO: Matrix<T>,
                         into grads: inout RNNGradients<T>, workspace ws: inout BackwardWorkspace<T>) {
        let bsz = trace.batchSize, steps = trace.steps
        let everyStep = steps > 1 && gO.cols == bsz * steps
        precondition(upperLayers.isEmpty, "BPTT is implemented for single-layer models")
        precondition(gO.rows == classes && (gO.cols == bsz || gO.cols == bsz * steps), "logit gradient must be C×B or C×(B·T)")
        precondition(steps >= 1, "backward needs at least one step")
        let chunk = ForwardTrace<T>.chunkSteps(forSteps: steps)
        precondition(ws.preactivationGradients.cols == bsz * chunk && ws.preactivationGradients.rows == hidden, "workspace shape")
        let lastBlock = everyStep ? trace.block(steps - 1) : 0..<bsz
        // g_h(T)
        gemm(.transposed, w, .none, gO, bColumns: lastBlock, into: &ws.stateGradient)
        for k in 0..<grads.b.count { grads.b[k] = 0 }
        var last = steps
        while last >= 1 {
            let first = max(last - chunk + 1, 1)
            for t in stride(from: last, through: first, by: -1) {
                let local = ((t - first) * bsz)..<((t - first + 1) * bsz)
                if nonlinearity == .tanh {
                    tanhBackward(ws.stateGradient, columns: 0..<bsz, h: trace.states, columns: trace.block(t),
                                 into: &ws.preactivationGradients, columns: local)
                } else {
                    let r = hidden, go = 0, ho = trace.block(t).lowerBound * r, ao = local.lowerBound * r, phi = nonlinearity
                    ws.stateGradient.storage.withUnsafeBufferPointer { pg in
                        trace.states.storage.withUnsafeBufferPointer { ph in
                            ws.preactivationGradients.storage.withUnsafeMutableBufferPointer { pa in
                                for k in 0..<(r * bsz) { pa[ao + k] = pg[go + k] * phi.derivative(output: ph[ho + k]) }
                            }
                        }
                    }
                }
                if t > 1 {
                    gemm(.transposed, v, .none, ws.preactivationGradients, bColumns: local, into: &ws.stateGradient)
                    if everyStep {
                        gemm(.transposed, w, .none, gO, bColumns: trace.block(t - 2), beta: 1, into: &ws.stateGradient)
                    }
                }
            }
            // Weight gradients of the chunk's steps first…last, batched across them.
            let g = 0..<((last - first + 1) * bsz), chunkColumns = ((first - 1) * bsz)..<(last * bsz)
            let beta: T = last == steps ? 0 : 1
            gemm(.none, ws.preactivationGradients, aColumns: g, .transposed, trace.states, bColumns: chunkColumns, beta: beta,
                 into: &grads.v)
            gemm(.none, ws.preactivationGradients, aColumns: g, .transposed, batch.inputs, bColumns: chunkColumns, beta: beta,
                 into: &grads.u)
            accumulateRowSums(ws.preactivationGradients, columns: g, into: &grads.b)
            last = first - 1
        }
        let hCols = everyStep ? bsz..<(bsz * (steps + 1)) : trace.block(steps)
        gemm(.none, gO, .transposed, trace.states, bColumns: hCols, into: &grads.w)
        for k in 0..<grads.c.count { grads.c[k] = 0 }
        accumulateRowSums(gO, into: &grads.c)
    }

    /// Mean cross-entropy of the last step over `batch`, its gradients, and the number correct
    /// (allocating; the trainer uses the buffer-reusing path).
    public func lossAndGradients(_ batch: SequenceBatch<T>, initialState: Matrix<T>? = nil)
        -> (loss: Double, correct: Int, gradients: RNNGradients<T>) {
        let trace = forward(batch, initialState: initialState)
        var gO = Matrix<T>(rows: classes, cols: batch.batchSize)
        let (loss, correct) = CrossEntropy.evaluate(trace.logits, labels: batch.labels,
                                                    scale: 1 / Double(batch.batchSize), gradient: &gO)
        var grads = RNNGradients<T>(hidden: hidden, inputSize: inputSize, classes: classes)
        var ws = BackwardWorkspace<T>(hidden: hidden, batchSize: batch.batchSize, steps: batch.steps)
        backward(batch, trace: trace, logitGradients: gO, into: &grads, workspace: &ws)
        return (loss, correct, grads)
    }
}

extension RNNModel where T == Double {
    /// ∇_V L of one sequence by BPTT: L is the cross-entropy of o_T (`lossAtEveryStep` false) or
    /// the sum over t of the cross-entropies of o_t (true), from h_0 = `initialState` (zeros
    /// when nil). `sequence` is T×I values, step-major. The reference the gradient through
    /// Q and R is checked against.
    public func recurrentWeightGradient(sequence: [Double], steps: Int, label: Int, initialState: [Double]? = nil,
                                        lossAtEveryStep: Bool) -> Matrix<Double> {
        let batch = SequenceBatch<Double>(inputs: Matrix(rows: inputSize, cols: steps, columnMajor: sequence), labels: [label], steps: steps)
        let h0 = initialState.map { Matrix<Double>(rows: hidden, cols: 1, columnMajor: $0) }
        let trace = forward(batch, initialState: h0, logitsAtEveryStep: lossAtEveryStep)
        var logitGradient = Matrix<Double>(rows: classes, cols: lossAtEveryStep ? steps : 1)
        if lossAtEveryStep {
            for t in 0..<steps {
                _ = CrossEntropy.evaluate(trace.logits, columns: t..<(t + 1), labels: [label], scale: 1,
                                          gradient: &logitGradient, gradientColumns: t..<(t + 1))
            }
        } else {
            _ = CrossEntropy.evaluate(trace.logits, labels: [label], scale: 1, gradient: &logitGradient)
        }
        var grads = RNNGradients<Double>(hidden: hidden, inputSize: inputSize, classes: classes)
        var ws = BackwardWorkspace<Double>(hidden: hidden, batchSize: 1, steps: steps)
        backward(batch, trace: trace, logitGradients: logitGradient, into: &grads, workspace: &ws)
        return grads.v
    }
}
