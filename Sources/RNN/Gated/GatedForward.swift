import Linalg

/// What the batched forward pass of a `GatedModel` leaves behind for BPTT. Column blocks are
/// time-major, as `ForwardTrace`'s: block t holds step t's B columns.
/// - `states` h_0…h_T: H × (B·(T+1)), block t = h_t (block 0 = h_0 = 0).
/// - `cells` c_0…c_T (LSTM only; 0×0 for a GRU): H × (B·(T+1)).
/// - `gates`: (G·H) × (B·T), block t−1 = step t's gate activations after their
///   nonlinearities, in PyTorch's block order (GRU r, z, n; LSTM i, f, g, o).
/// - `auxiliary`: H × (B·T), block t−1 = GRU: W_hn h_{t−1} + b_hn (what r multiplies);
///   LSTM: tanh(c_t).
/// - `inputPreactivations`: scratch (G·H) × (B·chunk), W_ih x_t + b_ih of one chunk of steps;
///   `recurrentPreactivations`: scratch (G·H) × B, W_hh h_{t−1} + b_hh of one step.
/// - `logits` o_T: C × B.
public struct GatedTrace<T: LinalgScalar>: Sendable {
    public let cell: GatedLayer.Cell
    public let batchSize: Int
    public let steps: Int
    public let chunkSteps: Int
    public var states: Matrix<T>
    public var cells: Matrix<T>
    public var gates: Matrix<T>
    public var auxiliary: Matrix<T>
    public var inputPreactivations: Matrix<T>
    public var recurrentPreactivations: Matrix<T>
    public var logits: Matrix<T>

    public var hidden: Int { states.rows }
    /// Columns of block t.
    @inline(__always) public func block(_ t: Int) -> Range<Int> { (t * batchSize)..<((t + 1) * batchSize) }

    public init(cell: GatedLayer.Cell, hidden h: Int, batchSize b: Int, steps: Int, classes: Int = 10) {
        self.cell = cell
        batchSize = b
        self.steps = steps
        chunkSteps = ForwardTrace<T>.chunkSteps(forSteps: steps)
        let rows = cell.gateCount * h
        states = Matrix(rows: h, cols: b * (steps + 1))
        cells = cell == .lstm ? Matrix(rows: h, cols: b * (steps + 1)) : Matrix(rows: 0, cols: 0)
        gates = Matrix(rows: rows, cols: b * steps)
        auxiliary = Matrix(rows: h, cols: b * steps)
        inputPreactivations = Matrix(rows: rows, cols: b * chunkSteps)
        recurrentPreactivations = Matrix(rows: rows, cols: b)
        logits = Matrix(rows: classes, cols: b)
    }
}

extension GatedModel {
    /// The forward pass over a batch from h_0 = 0 (and c_0 = 0), into `trace` (buffers reused).
    ///
    /// In chunks of `trace.chunkSteps` steps: the chunk's W_ih x_t + b_ih in one GEMM
    /// ((G·H)×I by I×(B·len)); then per step W_hh h_{t−1} + b_hh (one GEMM (G·H)×H by H×B) and
    /// the cell's element-wise update (`GatedKernels.step`); finally o_T = W h_T + c.
    public func forward(_ batch: SequenceBatch<T>, into trace: inout GatedTrace<T>) {
        let bsz = batch.batchSize, steps = batch.steps, h = hidden
        precondition(batch.inputSize == inputSize, "input size \(batch.inputSize) ≠ model's \(inputSize)")
        precondition(trace.cell == cell && trace.batchSize == bsz && trace.steps == steps && trace.hidden == h
                     && trace.logits.rows == classes, "trace buffers have the wrong shape")
        for k in 0..<(h * bsz) { trace.states.storage[k] = 0 }
        if cell == .lstm { for k in 0..<(h * bsz) { trace.cells.storage[k] = 0 } }
        let chunk = trace.chunkSteps
        var first = 1
        while first <= steps {
            let last = min(first + chunk - 1, steps)
            let columns = 0..<((last - first + 1) * bsz)
            gemm(.none, inputWeights, .none, batch.inputs, bColumns: ((first - 1) * bsz)..<(last * bsz),
                 into: &trace.inputPreactivations, columns: columns)
            addColumnVector(inputBias, to: &trace.inputPreactivations, columns: columns)
            for t in first...last {
                gemm(.none, recurrentWeights, .none, trace.states, bColumns: trace.block(t - 1), into: &trace.recurrentPreactivations)
                addColumnVector(recurrentBias, to: &trace.recurrentPreactivations)
                GatedKernels.step(cell: cell, hidden: h, batchSize: bsz,
                                  input: trace.inputPreactivations, inputColumn: (t - first) * bsz,
                                  recurrent: trace.recurrentPreactivations,
                                  gates: &trace.gates, auxiliary: &trace.auxiliary, outColumn: (t - 1) * bsz,
                                  states: &trace.states, cells: &trace.cells, previousColumn: (t - 1) * bsz, stateColumn: t * bsz)
            }
            first = last + 1
        }
        gemm(.none, readoutWeights, .none, trace.states, bColumns: trace.block(steps), into: &trace.logits)
        addColumnVector(readoutBias, to: &trace.logits)
    }

    /// A fresh trace for `batch`, filled.
    public func forward(_ batch: SequenceBatch<T>) -> GatedTrace<T> {
        var trace = GatedTrace<T>(cell: cell, hidden: hidden, batchSize: batch.batchSize, steps: batch.steps, classes: classes)
        forward(batch, into: &trace)
        return trace
    }

    /// o_T (C × B) without keeping the trace (memory independent of T): the same arithmetic
    /// as `forward(_:into:)` step for step, in buffers of one step.
    public func finalLogits(_ batch: SequenceBatch<T>) -> Matrix<T> {
        let bsz = batch.batchSize, steps = batch.steps, h = hidden, rows = gateRows
        precondition(batch.inputSize == inputSize && steps >= 1, "input size \(batch.inputSize) ≠ model's \(inputSize), or no steps")
        // h (and c) of steps t − 1 and t alternate between blocks 0 and 1.
        var states = Matrix<T>(rows: h, cols: 2 * bsz)
        var cells = Matrix<T>(rows: cell == .lstm ? h : 0, cols: cell == .lstm ? 2 * bsz : 0)
        var gates = Matrix<T>(rows: rows, cols: bsz), auxiliary = Matrix<T>(rows: h, cols: bsz)
        var projection = Matrix<T>(rows: rows, cols: bsz), recurrent = Matrix<T>(rows: rows, cols: bsz)
        for t in 1...steps {
            let previous = ((t - 1) % 2) * bsz, current = (t % 2) * bsz
            gemm(.none, inputWeights, .none, batch.inputs, bColumns: ((t - 1) * bsz)..<(t * bsz), into: &projection)
            addColumnVector(inputBias, to: &projection)
            gemm(.none, recurrentWeights, .none, states, bColumns: previous..<(previous + bsz), into: &recurrent)
            addColumnVector(recurrentBias, to: &recurrent)
            GatedKernels.step(cell: cell, hidden: h, batchSize: bsz, input: projection, inputColumn: 0, recurrent: recurrent,
                              gates: &gates, auxiliary: &auxiliary, outColumn: 0,
                              states: &states, cells: &cells, previousColumn: previous, stateColumn: current)
        }
        var logits = Matrix<T>(rows: classes, cols: bsz)
        let last = (steps % 2) * bsz
        gemm(.none, readoutWeights, .none, states, bColumns: last..<(last + bsz), into: &logits)
        addColumnVector(readoutBias, to: &logits)
        return logits
    }
}

/// The element-wise parts of a batched GRU/LSTM step and of its backward step, on column-major
/// blocks (one column per sample). σ(a) is computed as ½ + ½·tanh(a/2) (an identity), so every
/// nonlinearity goes through the vectorised `LinalgScalar.tanh(_:into:count:)`: libm's tanh
/// in Float64; in Float32 ftle's `fastTanh` (≤ 3 ulp), which leaves σ within about 3e-8
/// absolute of the exact value.
enum GatedKernels {
    /// One forward step for B samples. Reads the (G·H)×B blocks `input` (W_ih x + b_ih, from
    /// column `inputColumn`) and `recurrent` (W_hh h + b_hh, from column 0) and h_{t−1} (and
    /// c_{t−1}: LSTM) at `previousColumn` of `states` (`cells`); writes the gate activations and
    /// the auxiliary values at `outColumn` and h_t (c_t) at `stateColumn`. h_{t−1} and h_t share
    /// one matrix so the step writes it in place (no copy on write).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func step<T: LinalgScalar>(cell: GatedLayer.Cell, hidden h: Int, batchSize bsz: Int,
                                      input: Matrix<T>, inputColumn: Int, recurrent: Matrix<T>,
                                      gates: inout Matrix<T>, auxiliary: inout Matrix<T>, outColumn: Int,
                                      states: inout Matrix<T>, cells: inout Matrix<T>, previousColumn: Int, stateColumn: Int) {
        let rows = cell.gateCount * h
        precondition(previousColumn != stateColumn && input.rows == rows && recurrent.rows == rows)
        input.storage.withUnsafeBufferPointer { pIn in
        recurrent.storage.withUnsafeBufferPointer { pRec in
        gates.storage.withUnsafeMutableBufferPointer { pGates in
        auxiliary.storage.withUnsafeMutableBufferPointer { pAux in
        states.storage.withUnsafeMutableBufferPointer { pState in
        cells.storage.withUnsafeMutableBufferPointer { pCell in
            for j in 0..<bsz {
                let a = pIn.baseAddress! + (inputColumn + j) * rows, r = pRec.baseAddress! + j * rows
                let g = pGates.baseAddress! + (outColumn + j) * rows, aux = pAux.baseAddress! + (outColumn + j) * h
                let hPrev = pState.baseAddress! + (previousColumn + j) * h, hOut = pState.baseAddress! + (stateColumn + j) * h
                switch cell {
                case .gru:
                    // r, z = σ(a + r); n = tanh(a_n + r ⊙ (W_hn h + b_hn)); h' = (1 − z) n + z h.
                    for k in 0..<(2 * h) { g[k] = T(0.5) * (a[k] + r[k]) }
                    T.tanh(g, into: g, count: 2 * h)
                    for k in 0..<(2 * h) { g[k] = T(0.5) + T(0.5) * g[k] }
                    for k in 0..<h {
                        aux[k] = r[2 * h + k]
                        g[2 * h + k] = a[2 * h + k] + g[k] * aux[k]
                    }
                    T.tanh(g + 2 * h, into: g + 2 * h, count: h)
                    for k in 0..<h {
                        let z = g[h + k]
                        hOut[k] = (1 - z) * g[2 * h + k] + z * hPrev[k]
                    }
                case .lstm:
                    // (i, f, g, o) = (σ, σ, tanh, σ)(a + r); c' = f c + i g; h' = o tanh(c').
                    for k in 0..<rows {
                        let sigmoidRow = k < 2 * h || k >= 3 * h
                        g[k] = sigmoidRow ? T(0.5) * (a[k] + r[k]) : a[k] + r[k]
                    }
                    T.tanh(g, into: g, count: rows)
                    for k in 0..<(2 * h) { g[k] = T(0.5) + T(0.5) * g[k] }
                    for k in (3 * h)..<rows { g[k] = T(0.5) + T(0.5) * g[k] }
                    let cPrev = pCell.baseAddress! + (previousColumn + j) * h, cOut = pCell.baseAddress! + (stateColumn + j) * h
                    for k in 0..<h { cOut[k] = g[h + k] * cPrev[k] + g[k] * g[2 * h + k] }
                    T.tanh(cOut, into: aux, count: h)
                    for k in 0..<h { hOut[k] = g[3 * h + k] * aux[k] }
                }
            }
        }}}}}}
    }
}
