import Linalg

/// Everything the forward pass leaves behind for BPTT and the Lyapunov engine.
///
/// Column blocks are time-major: block t (columns t·B..<(t+1)·B) belongs to step t.
/// - `states` h_0..h_T of layer 1: H × (B·(T+1)), block t holds h_t (block 0 is h_0).
/// - `upperStates[k−2]`: the same for layer k = 2…L (H_k × (B·(T+1))); empty for one layer.
/// - `preactivations`: scratch for a_t of one chunk of ``chunkSteps`` steps, H × (B·chunk).
///   BPTT needs only h_t (tanh′(a_t) = 1 − h_t²), so a_1..a_T are not kept: at H = 512,
///   B = 64, T = 784 that saves 103 MB in Float.
/// - `logits`: C × (B·T) when every step's readout was asked for (block t−1 holds o_t),
///   otherwise C × B holding o_T only.
public struct ForwardTrace<T: LinalgScalar>: Sendable {
    public let batchSize: Int
    public let steps: Int
    /// Steps per chunk of the input projection (and of the backward pass's weight gradients).
    public let chunkSteps: Int
    public var preactivations: Matrix<T>
    public var states: Matrix<T>
    public var upperStates: [Matrix<T>]
    public var logits: Matrix<T>
    public let logitsAtEveryStep: Bool

    public var hidden: Int { states.rows }

    /// Columns of step t's block (t in 0...T for states, 1...T for preactivations via t−1).
    @inline(__always) public func block(_ t: Int) -> Range<Int> { (t * batchSize)..<((t + 1) * batchSize) }

    /// h_t of layer 1 for sample n (t in 0...T).
    public func state(_ t: Int, sample n: Int = 0) -> [T] { states.column(t * batchSize + n) }

    /// The states the readout reads: the last layer's.
    public var outputStates: Matrix<T> { upperStates.last ?? states }

    /// s_t = [h¹_t; …; hᴸ_t] of sample n (t in 0...T), N = Σ H_k values.
    public func stackedState(_ t: Int, sample n: Int = 0) -> [T] {
        ([states] + upperStates).flatMap { $0.column(t * batchSize + n) }
    }

    /// o_t of sample n (t in 1...T; only t = T unless `logitsAtEveryStep`).
    public func logit(_ t: Int, sample n: Int = 0) -> [T] {
        if logitsAtEveryStep { return logits.column((t - 1) * batchSize + n) }
        precondition(t == steps, "only the last step's logits were computed")
        return logits.column(n)
    }

    /// min(T, 32): the row-wise task (T = 28) is one chunk; at T = 784 a chunk's GEMMs still
    /// have an inner dimension of 32·B.
    public static func chunkSteps(forSteps steps: Int) -> Int { max(1, min(steps, 32)) }

    /// Empty buffers for B sequences of T steps at hidden size H (layer 1), H_k of layers
    /// 2…L (`upperHidden`) and C classes (reused across batches).
    public init(hidden: Int, batchSize: Int, steps: Int, logitsAtEveryStep: Bool = false, classes: Int = 10,
                upperHidden: [Int] = []) {
        self.batchSize = batchSize
        self.steps = steps
        self.logitsAtEveryStep = logitsAtEveryStep
        chunkSteps = ForwardTrace.chunkSteps(forSteps: steps)
        preactivations = Matrix(rows: hidden, cols: batchSize * chunkSteps)
        states = Matrix(rows: hidden, cols: batchSize * (steps + 1))
        upperStates = upperHidden.map { Matrix(rows: $0, cols: batchSize * (steps + 1)) }
        logits = Matrix(rows: classes, cols: logitsAtEveryStep ? batchSize * steps : batchSize)
    }
}

extension RNNModel {
    /// The forward pass over a batch, writing into `trace` (whose buffers are reused).
    ///
    /// In chunks of `trace.chunkSteps` steps s…e:
    /// 1. the chunk's input projections at once: a_{s..e} ← U·X + b (one GEMM, H×I by I×(B·len));
    /// 2. for t = s…e: a_t += V·h_{t−1} (GEMM H×H by H×B); h_t = tanh(a_t).
    /// 3. Layers 2…L the same way, layer k's input being layer k−1's states (h_0 = 0).
    /// 4. Readout o = W·h^L + c, at step T only or at every step (one GEMM).
    ///
    /// `initialState` is h_0 of layer 1 (H×B); nil means zeros.
    public func forward(_ batch: SequenceBatch<T>, initialState: Matrix<T>? = nil, into trace: inout ForwardTrace<T>) {
        let bsz = batch.batchSize, steps = batch.steps, h = hidden
        precondition(batch.inputSize == inputSize, "input size \(batch.inputSize) ≠ model's \(inputSize)")
        precondition(trace.batchSize == bsz && trace.steps == steps && trace.hidden == h && trace.logits.rows == classes
                     && trace.upperStates.map(\.rows) == upperLayers.map(\.hidden), "trace buffers have the wrong shape")
        // h_0
        if let h0 = initialState {
            precondition(h0.rows == h && h0.cols == bsz, "initial state must be H×B")
            trace.states.storage.replaceSubrange(0..<(h * bsz), with: h0.storage)
        } else {
            trace.states.storage.withUnsafeMutableBufferPointer { p in for k in 0..<(h * bsz) { p[k] = 0 } }
        }
        let chunk = trace.chunkSteps
        var first = 1
        while first <= steps {
            let last = min(first + chunk - 1, steps)
            // 1. input projections of the chunk's steps
            projectInputs(batch, steps: first...last, into: &trace.preactivations)
            // 2. recurrence
            for t in first...last {
                let local = ((t - first) * bsz)..<((t - first + 1) * bsz)
                gemm(.none, v, .none, trace.states, bColumns: trace.block(t - 1), beta: 1,
                     into: &trace.preactivations, columns: local)
                if nonlinearity == .tanh {
                    tanhForward(trace.preactivations, columns: local, into: &trace.states, columns: trace.block(t))
                } else {
                    activate(trace.preactivations, columns: local, into: &trace.states, columns: trace.block(t))
                }
            }
            first = last + 1
        }
        // 3. upper layers
        for k in upperLayers.indices {
            var states = trace.upperStates[k]
            forwardUpperLayer(upperLayers[k], input: k == 0 ? trace.states : trace.upperStates[k - 1], batchSize: bsz, steps: steps,
                              into: &states)
            trace.upperStates[k] = states
        }
        // 4. readout
        if trace.logitsAtEveryStep {
            gemm(.none, w, .none, trace.outputStates, bColumns: bsz..<(bsz * (steps + 1)), into: &trace.logits)
        } else {
            gemm(.none, w, .none, trace.outputStates, bColumns: trace.block(steps), into: &trace.logits)
        }
        addColumnVector(c, to: &trace.logits)
    }

    /// o_T (10 × B) without keeping the trace: h_{t−1} and h_t in two H × B buffers and the input
    /// projections of one chunk, so memory does not grow with T (evaluation of the permuted
    /// H = 512 model in batches of 500 needed 0.8 GB for the full trace). The arithmetic is
    /// that of ``forward(_:initialState:into:)`` step for step — same GEMM shapes, same order —
    /// so the logits agree with the trace's (the tests check equality).
    public func finalLogits(_ batch: SequenceBatch<T>, initialState: Matrix<T>? = nil) -> Matrix<T> {
        let bsz = batch.batchSize, steps = batch.steps, h = hidden
        precondition(batch.inputSize == inputSize, "input size \(batch.inputSize) ≠ model's \(inputSize)")
        guard upperLayers.isEmpty else {
            // Stacked: layer k+1 reads every state of layer k, so keep the trace.
            return forward(batch, initialState: initialState).logits
        }
        var previous = Matrix<T>(rows: h, cols: bsz), current = Matrix<T>(rows: h, cols: bsz)
        if let h0 = initialState {
            precondition(h0.rows == h && h0.cols == bsz, "initial state must be H×B")
            previous = h0
        }
        let chunk = ForwardTrace<T>.chunkSteps(forSteps: steps)
        var projections = Matrix<T>(rows: h, cols: bsz * chunk)
        var first = 1
        while first <= steps {
            let last = min(first + chunk - 1, steps)
            projectInputs(batch, steps: first...last, into: &projections)
            for t in first...last {
                let local = ((t - first) * bsz)..<((t - first + 1) * bsz)
                gemm(.none, v, .none, previous, beta: 1, into: &projections, columns: local)
                if nonlinearity == .tanh {
                    tanhForward(projections, columns: local, into: &current, columns: 0..<bsz)
                } else {
                    activate(projections, columns: local, into: &current, columns: 0..<bsz)
                }
                swap(&previous, &current)
            }
            first = last + 1
        }
        var logits = Matrix<T>(rows: classes, cols: bsz)
        gemm(.none, w, .none, previous, into: &logits)
        addColumnVector(c, to: &logits)
        return logits
    }

    /// U·x_t + b for t in `steps` (1-based) into the first |steps|·B columns of `buffer`
    /// (one GEMM for the chunk). Inlined on purpose: as an out-of-line generic call, the
    /// `inout` buffer (a property of the caller's `inout` trace) was passed by copy-in/copy-out
    /// and the trace's buffer copied on write every chunk — row-wise training fell from 38k to
    /// 25k samples/s.
    @inline(__always)
    private func projectInputs(_ batch: SequenceBatch<T>, steps: ClosedRange<Int>, into buffer: inout Matrix<T>) {
        let bsz = batch.batchSize
        let columns = 0..<(steps.count * bsz)
        gemm(.none, u, .none, batch.inputs, bColumns: ((steps.lowerBound - 1) * bsz)..<(steps.upperBound * bsz),
             into: &buffer, columns: columns)
        addColumnVector(b, to: &buffer, columns: columns)
    }

    /// h[:, hCols] = φ(a[:, aCols]) for a nonlinearity other than tanh (tanh has its vectorised
    /// kernel in Linalg).
    private func activate(_ a: Matrix<T>, columns aCols: Range<Int>, into h: inout Matrix<T>, columns hCols: Range<Int>) {
        let r = a.rows, ao = aCols.lowerBound * r, ho = hCols.lowerBound * r, phi = nonlinearity
        a.storage.withUnsafeBufferPointer { pa in
            h.storage.withUnsafeMutableBufferPointer { ph in
                for k in 0..<(r * aCols.count) { ph[ho + k] = phi.apply(pa[ao + k]) }
            }
        }
    }

    /// Layer k ≥ 2 over all T steps: states block t = φ(V h_{t−1} + U·(input block t) + b),
    /// block 0 = 0. `input` is the layer below's states (H_{k−1} × B(T+1)).
    private func forwardUpperLayer(_ layer: RecurrentLayer<T>, input: Matrix<T>, batchSize bsz: Int, steps: Int,
                                   into states: inout Matrix<T>) {
        for k in 0..<(layer.hidden * bsz) { states.storage[k] = 0 }
        var a = Matrix<T>(rows: layer.hidden, cols: bsz * steps)
        gemm(.none, layer.u, .none, input, bColumns: bsz..<(bsz * (steps + 1)), into: &a)
        addColumnVector(layer.b, to: &a)
        for t in 1...steps {
            let local = ((t - 1) * bsz)..<(t * bsz), block = (t * bsz)..<((t + 1) * bsz)
            gemm(.none, layer.v, .none, states, bColumns: ((t - 1) * bsz)..<(t * bsz), beta: 1, into: &a, columns: local)
            activate(a, columns: local, into: &states, columns: block)
        }
    }

    /// Convenience: a fresh trace for `batch`.
    public func forward(_ batch: SequenceBatch<T>, initialState: Matrix<T>? = nil, logitsAtEveryStep: Bool = false) -> ForwardTrace<T> {
        var trace = ForwardTrace<T>(hidden: hidden, batchSize: batch.batchSize, steps: batch.steps, logitsAtEveryStep: logitsAtEveryStep,
                                    classes: classes, upperHidden: upperLayers.map(\.hidden))
        forward(batch, initialState: initialState, into: &trace)
        return trace
    }
}
