import Statistics
import Analysis
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
    /// The numerical rank of ΔV_t (`SampleAlignment.numericalRank`): every shown singular
    /// vector is within it.
    public var rank: Int
    /// H, the number of singular vectors.
    public var dimension: Int
    /// Whose cosines: the Q vectors' (rows q_i) or the CLVs' (rows v_i).
    public var basis: AlignmentBasis
    /// Why there are no cosines at t (the CLVs exist at steps W+1…T−W only), else nil.
    public var note: String?
    /// The CLV basis: the steps W+1…T−W and, at each, the smallest angle (radians) between the
    /// span of the first j CLVs and the rest (over j); nil for the Q basis.
    public var minAngles: (steps: ClosedRange<Int>, radians: [Double])? {
        get { minAngleSteps.map { ($0, minAngleValues) } }
        set { minAngleSteps = newValue?.steps; minAngleValues = newValue?.radians ?? [] }
    }
    private var minAngleSteps: ClosedRange<Int>?
    private var minAngleValues: [Double] = []

    public init(analysisID: Int, t: Int, directions: Int, singularIndices: [Int], cosines: [Double], rank: Int, dimension: Int,
                basis: AlignmentBasis = .q, note: String? = nil, minAngles: (steps: ClosedRange<Int>, radians: [Double])? = nil) {
        precondition(cosines.count == directions * singularIndices.count)
        precondition(singularIndices.allSatisfy { $0 < rank } && rank <= dimension)
        self.basis = basis
        self.note = note
        minAngleSteps = minAngles?.steps
        minAngleValues = minAngles?.radians ?? []
        self.rank = rank
        self.dimension = dimension
        self.analysisID = analysisID
        self.t = t
        self.directions = directions
        self.singularIndices = singularIndices
        self.cosines = cosines
    }

    /// q_i · e_{singularIndices[column]} (0-based i and column).
    public func cosine(q i: Int, column: Int) -> Double { cosines[i * singularIndices.count + column] }

    /// How many of the columns are the leading singular vectors (the rest are the trailing ones).
    public var leadingCount: Int { min(5, singularIndices.count) }

    /// For each Q vector i (0-based), the population standard deviation of its cosines with
    /// the leading (`leading == true`) or trailing singular vectors: one sample's, one
    /// step's version of `AlignmentStudy.stdByIndexFirst` / `stdByIndexLast` (Figure 2).
    /// Empty when there are no such columns.
    public func spreadByIndex(leading: Bool) -> [Double] {
        let columns = leading ? Array(0..<leadingCount) : Array(leadingCount..<singularIndices.count)
        guard !columns.isEmpty else { return [] }
        return (0..<directions).map { i in populationStandardDeviation(columns.map { cosine(q: i, column: $0) }) }
    }
}
