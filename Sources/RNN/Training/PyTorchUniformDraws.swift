import Linalg

/// PyTorch's default initialisation of a recurrent layer of H units (`nn.RNN`, `nn.GRU`,
/// `nn.LSTM`) and of the `nn.Linear(H, C)` readout after it: every weight and bias i.i.d.
/// U(−1/√H, 1/√H) (the recurrent layer's bound is 1/√H; the readout's is 1/√fan_in, the same
/// number). The draws come from one `SeededRandom` in the order they are asked for, a matrix's
/// in column-major storage order (as `Matrix.uniform`), so a model's init states its order by
/// the sequence of calls.
public struct PyTorchUniformDraws {
    var rng: SeededRandom
    /// 1/√H.
    public let bound: Double

    public init(seed: UInt64, hidden h: Int) {
        precondition(h >= 1, "H must be positive")
        rng = SeededRandom(seed: seed)
        bound = 1 / Double(h).squareRoot()
    }

    /// One draw, in Double.
    public mutating func next() -> Double { rng.nextUniform(-bound, bound) }

    /// `rows` × `cols` draws.
    public mutating func matrix<T: LinalgScalar>(rows: Int, cols: Int) -> Matrix<T> {
        .uniform(rows: rows, cols: cols, -bound, bound, using: &rng)
    }

    /// `n` draws.
    public mutating func vector<T: LinalgScalar>(_ n: Int) -> [T] { (0..<n).map { _ in T(next()) } }
}
