import Foundation

/// The nonparametric bootstrap (Efron 1979): resample the n members with replacement, recompute
/// the statistic, and read an interval off the resampled values.
public enum Bootstrap {
    /// Percentile interval at `level` (0.95: the 2.5 % and 97.5 % quantiles, linear interpolation
    /// between order statistics, as NumPy's default `quantile`) of a vector statistic over
    /// `resamples` resamples of `count` members. `statistic(indices)` receives the drawn member
    /// indices (each in 0..<count, `count` of them) and returns the statistic's components, the
    /// same number every time. Non-finite components of a resample are left out of that
    /// component's quantiles; a component with no finite value gives NaN. Draws come from `rng`
    /// in a fixed order, so a seeded generator gives a reproducible interval.
    public static func percentileInterval<G: RandomNumberGenerator>(
        count: Int, resamples: Int = 2000, level: Double = 0.95, using rng: inout G, statistic: ([Int]) -> [Double]
    ) -> (low: [Double], high: [Double]) {
        precondition(count >= 1 && resamples >= 2 && level > 0 && level < 1, "a bootstrap needs members, resamples and a level in (0, 1)")
        let columns = replicates(count: count, resamples: resamples, using: &rng, statistic: statistic)
        let alpha = (1 - level) / 2
        let low = columns.map { quantile($0.sorted(), alpha) }
        let high = columns.map { quantile($0.sorted(), 1 - alpha) }
        return (low, high)
    }

    /// Each component's finite values over `resamples` resamples of `count` members (each
    /// resample `count` indices in 0..<count drawn from `rng` in a fixed order).
    private static func replicates<G: RandomNumberGenerator>(
        count: Int, resamples: Int, using rng: inout G, statistic: ([Int]) -> [Double]
    ) -> [[Double]] {
        var columns: [[Double]] = []
        for _ in 0..<resamples {
            let indices = (0..<count).map { _ in Int.random(in: 0..<count, using: &rng) }
            let values = statistic(indices)
            if columns.isEmpty { columns = [[Double]](repeating: [], count: values.count) }
            precondition(values.count == columns.count, "the statistic must have the same size every time")
            for (j, x) in values.enumerated() where x.isFinite { columns[j].append(x) }
        }
        return columns
    }

    /// Bootstrap standard error of a vector statistic: the standard deviation (n − 1 denominator)
    /// of each component over `resamples` resamples of `count` members, drawn as
    /// `percentileInterval` draws them (each resample `count` indices in 0..<count, from `rng`
    /// in a fixed order, so a seeded generator gives a reproducible SE). `statistic(indices)`
    /// returns the same number of components every time; non-finite components of a resample
    /// are left out of that component's SE, and a component with fewer than two finite values
    /// gives NaN. For the mean of n values with population std σ̂ the exact bootstrap SE (the
    /// limit of many resamples) is σ̂/√n.
    public static func standardError<G: RandomNumberGenerator>(
        count: Int, resamples: Int = 1000, using rng: inout G, statistic: ([Int]) -> [Double]
    ) -> [Double] {
        precondition(count >= 1 && resamples >= 2, "a bootstrap needs members and at least two resamples")
        let columns = replicates(count: count, resamples: resamples, using: &rng, statistic: statistic)
        return columns.map { standardDeviation($0) }
    }

    /// How many times each of 0..<count occurs in `indices` (a resample as multiplicities).
    public static func multiplicities(_ indices: [Int], count: Int) -> [Int] {
        var m = [Int](repeating: 0, count: count)
        for i in indices { m[i] += 1 }
        return m
    }

    /// The p-quantile of sorted values by linear interpolation between order statistics
    /// (position p·(n − 1)); NaN for no values.
    public static func quantile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let position = p * Double(sorted.count - 1)
        let below = Int(position.rounded(.down)), above = min(below + 1, sorted.count - 1)
        let fraction = position - Double(below)
        return sorted[below] + fraction * (sorted[above] - sorted[below])
    }
}
