import Foundation

/// The count n, mean x̄ and sum of squared deviations M2 = Σ (x_i − x̄)² of a set of values:
/// enough to recompute the mean and the variances of any union of such sets without the values
/// (Chan, Golub & LeVeque 1979), e.g. of a bootstrap resample of per-sample summaries.
/// Conventions as `Descriptive.swift`: an empty set has mean NaN, a set too small for a variance
/// gives NaN.
public struct Moments: Sendable, Equatable {
    public var count: Int
    public var mean: Double
    public var sumOfSquaredDeviations: Double

    public init(count: Int, mean: Double, sumOfSquaredDeviations: Double) {
        self.count = count; self.mean = mean; self.sumOfSquaredDeviations = sumOfSquaredDeviations
    }

    /// The moments of `values` (compensated mean, corrected two-pass M2); count 0 and mean NaN
    /// for no values.
    public init(_ values: some Collection<Double>) {
        count = values.count
        mean = Statistics.mean(values)
        sumOfSquaredDeviations = values.isEmpty ? 0 : Statistics.sumOfSquaredDeviations(values)
    }

    /// The empty set.
    public static let empty = Moments(count: 0, mean: .nan, sumOfSquaredDeviations: 0)

    /// M2 / n: NaN for an empty set.
    public var populationVariance: Double { count > 0 ? sumOfSquaredDeviations / Double(count) : .nan }
    /// M2 / (n − 1): NaN for n < 2.
    public var sampleVariance: Double { count > 1 ? sumOfSquaredDeviations / Double(count - 1) : .nan }

    /// The moments of the union of `parts`, part i taken `multiplicities[i]` times (nil: once
    /// each; 0 leaves it out): n = Σ w_i n_i, x̄ = Σ w_i n_i x̄_i / n, M2 = Σ w_i (M2_i + n_i (x̄_i − x̄)²)
    /// — exact, not an approximation, and free of the cancellation of Σx² − n x̄². Empty parts
    /// are skipped; no non-empty part gives `empty`.
    public static func union(_ parts: [Moments], multiplicities: [Int]? = nil) -> Moments {
        precondition(multiplicities.map { $0.count == parts.count } ?? true, "one multiplicity per part")
        return union(count: parts.count, multiplicities: multiplicities) { parts[$0] }
    }

    /// `union` of the parts `part(0)…part(count − 1)` (called twice each, so it should be
    /// cheap), without building an array of them.
    public static func union(count: Int, multiplicities: [Int]? = nil, part: (Int) -> Moments) -> Moments {
        precondition(multiplicities.map { $0.count == count && $0.allSatisfy { $0 >= 0 } } ?? true,
                     "one non-negative multiplicity per part")
        var n = 0, weightedSum = 0.0
        for i in 0..<count {
            let p = part(i), w = multiplicities?[i] ?? 1
            guard p.count > 0, w > 0 else { continue }
            n += w * p.count
            weightedSum += Double(w * p.count) * p.mean
        }
        guard n > 0 else { return .empty }
        let center = weightedSum / Double(n)
        var m2 = 0.0
        for i in 0..<count {
            let p = part(i), w = multiplicities?[i] ?? 1
            guard p.count > 0, w > 0 else { continue }
            let d = p.mean - center
            m2 += Double(w) * (p.sumOfSquaredDeviations + Double(p.count) * d * d)
        }
        return Moments(count: n, mean: center, sumOfSquaredDeviations: m2)
    }
}
