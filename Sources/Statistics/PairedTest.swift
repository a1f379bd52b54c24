import Foundation

/// The one-sided paired t-test on per-unit differences d_1…d_n, alternative H₁: mean(d) > 0
/// (a one-sample t-test of d against 0).
///
///   d̄ = Σ d_i / n,  s_d² = Σ (d_i − d̄)² / (n − 1),  SE = s_d / √n,
///   t = d̄ / SE,  df = n − 1,  p = P(T_df > t) (Student t upper tail),
///   effect size d_z = d̄ / s_d (Cohen's d for paired data: the mean difference in units of the
///   differences' own spread, independent of n).
///
/// Matches `scipy.stats.ttest_1samp(d, 0, alternative='greater')` (tested against values
/// computed once with SciPy 1.17 and stored as a fixture).
///
/// Why this test for Table 1: each image gives one R-ranked loss difference and 50 random ones
/// of the same image, so the design is paired by image. The random draws are clustered (they
/// share the image), so pooling them as 750 independent values (the z- and Welch tests of the
/// paper's code) understates their mean's variance; d_i = ranked_i − mean(random draws of image
/// i) has one independent value per image, and its t-test has n − 1 degrees of freedom.
///
/// Degenerate inputs: n < 2 or a non-finite value: statistic, df, p and effect size are NaN.
/// Constant differences (s_d = 0): t = +∞ and p = 0 if d̄ > 0, t = −∞ and p = 1 if d̄ < 0,
/// t = NaN and p = 1 if d̄ = 0 (no evidence for H₁).
public enum PairedTest {
    public struct Result: Sendable, Equatable, Hashable {
        public var count: Int
        /// d̄.
        public var meanDifference: Double
        /// s_d / √n.
        public var standardError: Double
        public var statistic: Double
        public var df: Double
        /// P(T_{n−1} > t), one-sided.
        public var p: Double
        /// d_z = d̄ / s_d.
        public var effectSize: Double
    }

    /// One-sided paired test of H₁: mean(differences) > 0. See `PairedTest`.
    public static func greater(differences d: some Collection<Double>) -> Result {
        let n = d.count
        let m = mean(d), variance = sampleVariance(d)
        var result = Result(count: n, meanDifference: m, standardError: .nan, statistic: .nan, df: .nan, p: .nan, effectSize: .nan)
        guard n >= 2, m.isFinite, variance.isFinite else { return result }
        let sd = variance.squareRoot()
        result.df = Double(n - 1)
        result.standardError = sd / Double(n).squareRoot()
        guard sd > 0 else {
            result.statistic = m > 0 ? .infinity : (m < 0 ? -.infinity : .nan)
            result.effectSize = result.statistic
            result.p = m > 0 ? 0 : 1
            return result
        }
        result.statistic = m / result.standardError
        result.effectSize = m / sd
        result.p = studentTSurvival(result.statistic, degreesOfFreedom: result.df)
        return result
    }
}

/// Holm's step-down adjustment of m p-values for the family-wise error rate: with the p-values
/// sorted ascending p_(1) ≤ … ≤ p_(m), the adjusted value of p_(i) is
/// max_{j ≤ i} min(1, (m − j + 1) · p_(j)); rejecting where the adjusted value is < α keeps the
/// probability of any false rejection ≤ α under any dependence between the tests (nested k of
/// Table 1 are strongly dependent). Returned in the input order. NaN p-values are left NaN and
/// do not count in m. Matches `statsmodels.stats.multitest.multipletests(p, method='holm')`.
public func holmAdjusted(_ pValues: [Double]) -> [Double] {
    let order = pValues.indices.filter { !pValues[$0].isNaN }.sorted { pValues[$0] < pValues[$1] }
    let m = order.count
    var adjusted = [Double](repeating: .nan, count: pValues.count)
    var running = 0.0
    for (rank, index) in order.enumerated() {
        running = max(running, min(1, Double(m - rank) * pValues[index]))
        adjusted[index] = running
    }
    return adjusted
}
