/// The cosines A_t = Q_tᵀ E_t at one step t between the first `directions` Lyapunov vectors
/// (columns of Q_t, from the K-column frame the engine steps) and selected right singular
/// vectors e_j of ΔV_t (singular values in non-increasing order).
public struct AlignmentResult: Hashable, Sendable {
    public var analysisID: Int
    public var t: Int
    /// Rows: Q vectors 1…directions.
    public var directions: Int
    /// 0-based singular-vector indices of the columns (the first five, then the last five).
    public var singularIndices: [Int]
    /// Row-major `directions × singularIndices.count` cosines in [−1, 1].
    public var cosines: [Double]

    public init(analysisID: Int, t: Int, directions: Int, singularIndices: [Int], cosines: [Double]) {
        precondition(cosines.count == directions * singularIndices.count)
        self.analysisID = analysisID
        self.t = t
        self.directions = directions
        self.singularIndices = singularIndices
        self.cosines = cosines
    }

    /// q_i · e_{singularIndices[column]} (0-based i and column).
    public func cosine(q i: Int, column: Int) -> Double { cosines[i * singularIndices.count + column] }
}
