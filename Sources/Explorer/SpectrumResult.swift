/// The Lyapunov quantities of the current image, as far as the engine has stepped.
///
/// Rows are steps: row t−1 holds step t (1-based t, as everywhere in the explorer).
/// `logR[t−1][k]` = ln r_t^{k+1}, `exponents[t−1][k]` = λ_{k+1}(t) in natural log, with
/// −∞ carried as −∞ (a zero r), never NaN.
public struct SpectrumResult: Hashable, Sendable {
    /// Which analysis (model + image) this belongs to; see ``ExplorerState/analysisID``.
    public var analysisID: Int
    /// K, the number of tangent directions.
    public var directions: Int
    /// T, the sequence length.
    public var totalSteps: Int
    public var logR: [[Double]]
    public var exponents: [[Double]]
    /// GRU/LSTM: the gates' names (PyTorch's block order) and each gate's mean activation at
    /// steps 1…T (row t−1, one value per gate; the whole sequence, computed up front). Empty
    /// for a vanilla RNN.
    public var gateNames: [String] = []
    public var gateMeans: [[Double]] = []

    public init(analysisID: Int, directions: Int, totalSteps: Int, logR: [[Double]], exponents: [[Double]]) {
        self.analysisID = analysisID
        self.directions = directions
        self.totalSteps = totalSteps
        self.logR = logR
        self.exponents = exponents
    }

    /// Steps computed so far.
    public var stepsDone: Int { logR.count }
    public var isComplete: Bool { stepsDone == totalSteps }

    /// λ_k(t) for k = 1…K, or nil if step t is not computed yet.
    public func exponents(atStep t: Int) -> [Double]? {
        t >= 1 && t <= stepsDone ? exponents[t - 1] : nil
    }

    /// ln r_t^1 for every computed step (the R trace and the pixel score r1).
    public var firstLogR: [Double] { logR.map { $0.first ?? .nan } }
}
