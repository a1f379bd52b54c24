import Foundation

/// Welch's unequal-variance t-test, one-sided, alternative H₁: mean(x) > mean(y).
///
/// For samples x (n_x values) and y (n_y values) with sample variances s_x², s_y²
/// (n − 1 denominators):
///   t  = (x̄ − ȳ) / √(s_x²/n_x + s_y²/n_y),
///   ν  = (s_x²/n_x + s_y²/n_y)² / [ (s_x²/n_x)²/(n_x − 1) + (s_y²/n_y)²/(n_y − 1) ]
///        (Welch–Satterthwaite, evaluated in ratios so it cannot overflow),
///   p_Welch = P(T_ν > t) (Student t upper tail, ν non-integer in general),
///   p_Z     = P(Z > t)   (normal approximation with the same statistic),
/// both upper tails computed directly, so p-values like 1e-30 are meaningful to ~1e-12
/// relative. Matches `scipy.stats.ttest_ind(x, y, equal_var=False, alternative='greater')`.
///
/// Degenerate inputs (documented, tested):
/// - n_x < 2 or n_y < 2, or any NaN/±∞ value: the test is undefined; statistic, df, pWelch and
///   pZ are NaN (means and variances are reported as far as they are defined).
/// - Zero standard error (both samples constant): the statistic is +∞ if x̄ > ȳ (p = 0),
///   −∞ if x̄ < ȳ (p = 1), and NaN if x̄ = ȳ, in which case p = 1 — no evidence at all for
///   x̄ > ȳ, and the conservative value for a "reject if p < α" reader. df is NaN (0/0).
public enum WelchTest {
    /// The outcome of `WelchTest.greater(x:y:)`. All fields Float64; see `WelchTest` for
    /// formulas and the degenerate cases.
    public struct Result: Sendable, Equatable, Hashable {
        public var countX: Int
        public var countY: Int
        /// x̄ − ȳ.
        public var meanDifference: Double
        /// s_x², n − 1 denominator (NaN if n_x < 2).
        public var varianceX: Double
        /// s_y², n − 1 denominator (NaN if n_y < 2).
        public var varianceY: Double
        /// √(s_x²/n_x + s_y²/n_y).
        public var standardError: Double
        /// t = (x̄ − ȳ) / standardError.
        public var statistic: Double
        /// Welch–Satterthwaite degrees of freedom ν (non-integer; between min(n_x, n_y) − 1 and
        /// n_x + n_y − 2).
        public var df: Double
        /// P(T_ν > t), one-sided.
        public var pWelch: Double
        /// P(Z > t), one-sided normal approximation.
        public var pZ: Double
    }

    /// One-sided Welch test of H₁: mean(x) > mean(y). See `WelchTest` for formulas and the
    /// degenerate cases.
    public static func greater(x: some Collection<Double>, y: some Collection<Double>) -> Result {
        let countX = x.count, countY = y.count
        let meanDifference = mean(x) - mean(y)
        let varianceX = sampleVariance(x), varianceY = sampleVariance(y)
        var result = Result(countX: countX, countY: countY, meanDifference: meanDifference,
                             varianceX: varianceX, varianceY: varianceY, standardError: .nan,
                             statistic: .nan, df: .nan, pWelch: .nan, pZ: .nan)
        guard meanDifference.isFinite, varianceX.isFinite, varianceY.isFinite else { return result }

        let shareX = varianceX / Double(countX), shareY = varianceY / Double(countY)
        let total = shareX + shareY
        result.standardError = total.squareRoot()
        guard total > 0 else {
            if meanDifference > 0 {
                result.statistic = .infinity; result.pWelch = 0; result.pZ = 0
            } else {
                result.statistic = meanDifference < 0 ? -.infinity : .nan
                result.pWelch = 1; result.pZ = 1
            }
            return result
        }
        let fractionX = shareX / total, fractionY = shareY / total
        result.df = 1 / (fractionX * fractionX / Double(countX - 1)
                         + fractionY * fractionY / Double(countY - 1))
        result.statistic = meanDifference / result.standardError
        result.pWelch = studentTSurvival(result.statistic, degreesOfFreedom: result.df)
        result.pZ = normalSurvival(result.statistic)
        return result
    }
}
