import Foundation
import Linalg
import Statistics

/// One sample's share of the three group statistics of an `AlignmentStudy` (first, last and
/// random ten Q vectors, in that order), kept so that the statistics can be recomputed exactly
/// for any resample of the samples (`AlignmentStudy.standardErrors`).
struct AlignmentSampleSummary: Sendable {
    /// Per group: the moments of all of the sample's values of that group (pooled over t, the
    /// leading singular vectors and the ten Q indices) — the `pooled` statistic's share.
    let pooled: [Moments]
    /// Per (t, j, group), at index (t · first + j) · 3 + group with t 0-based: the moments of the
    /// sample's ten values A_t[i, j], i in the group — the `meanPerStep` statistic's share. Count
    /// 0 where the sample has no j-th leading singular vector at t (past ΔV_t's rank). Empty when
    /// the study's statistic is `pooled`.
    let perStep: [Moments]

    /// The summary of one sample's compared columns (`columns[t − 1]` at step t), groups as 0-based
    /// Q indices; `first` is the study's number of leading singular vectors (≥ every
    /// `leadingCount`).
    init(_ columns: [SampleColumns], groups: [[Int]], first: Int, perStep keepsPerStep: Bool) {
        var pooledValues = [[Double]](repeating: [], count: groups.count)
        var perStep = [Moments](repeating: .empty, count: keepsPerStep ? columns.count * first * groups.count : 0)
        for (t, a) in columns.enumerated() {
            for j in 0..<a.leadingCount {
                for (g, group) in groups.enumerated() {
                    let values = group.map { a.leading[$0, j] }
                    pooledValues[g] += values
                    if keepsPerStep { perStep[(t * first + j) * groups.count + g] = Moments(values) }
                }
            }
        }
        pooled = pooledValues.map { Moments($0) }
        self.perStep = perStep
    }
}

/// What an `AlignmentStudy` keeps to resample its samples: the statistic, the shape of the
/// per-step summaries, and one summary per sample in sample order.
struct AlignmentResampling: Sendable {
    var statistic: AlignmentStudy.Statistic = .pooled
    var steps = 0, first = 0
    var samples: [AlignmentSampleSummary] = []

    /// The three group statistics (first, last, random) of the study with sample n taken
    /// `multiplicities[n]` times: the population std of the union of the samples' values
    /// (`pooled`), or the mean over the (t, j) that some taken sample has of the unbiased std of
    /// the union at (t, j) (`meanPerStep`) — the study's own definitions, recomputed from the
    /// summaries. All multiplicities 1 give the study's values (to rounding).
    func groupStatistics(multiplicities w: [Int]) -> [Double] {
        precondition(w.count == samples.count, "one multiplicity per sample")
        switch statistic {
        case .pooled:
            return (0..<3).map { g in
                Moments.union(count: samples.count, multiplicities: w) { samples[$0].pooled[g] }.populationVariance.squareRoot()
            }
        case .meanPerStep:
            return (0..<3).map { g in
                var total = 0.0, terms = 0
                for cell in 0..<(steps * first) {
                    let m = Moments.union(count: samples.count, multiplicities: w) { samples[$0].perStep[cell * 3 + g] }
                    guard m.count > 0 else { continue }
                    total += (m.sumOfSquaredDeviations / Double(max(m.count - 1, 1))).squareRoot()
                    terms += 1
                }
                return terms > 0 ? total / Double(terms) : .nan
            }
        }
    }
}

extension AlignmentStudy {
    /// The number of bootstrap resamples `standardErrors` takes by default (and `ftle align` and
    /// `ftle report --reproduction` use).
    public static let bootstrapResamples = 1000

    /// The bootstrap standard errors of `stdFirst10`, `stdLast10` and `stdRandom10` over the
    /// samples: `resamples` times, draw the study's N samples (each an image or sequence with its
    /// h_0) N times with replacement from `SeededRandom(seed)`, recompute the three statistics
    /// exactly from the per-sample summaries, and take the standard deviation (n − 1) of the
    /// replicates (`Bootstrap.standardError`). The Q indices (the random ten included) are held
    /// fixed: the SE is that of sampling images, given the groups. NaN for fewer than two samples.
    public func standardErrors(resamples: Int = AlignmentStudy.bootstrapResamples, seed: UInt64 = 0)
        -> (first: Double, last: Double, random: Double) {
        let n = resampling.samples.count
        guard n >= 2 else { return (.nan, .nan, .nan) }
        var rng = SeededRandom(seed: seed)
        let se = Bootstrap.standardError(count: n, resamples: resamples, using: &rng) { indices in
            resampling.groupStatistics(multiplicities: Bootstrap.multiplicities(indices, count: n))
        }
        return (se[0], se[1], se[2])
    }

    /// The number of samples (images or sequences, each with its h_0) the study averaged over.
    public var sampleCount: Int { resampling.samples.count }

    /// The three group statistics recomputed from the per-sample summaries with sample n taken
    /// `multiplicities[n]` times (see `AlignmentResampling.groupStatistics`).
    func groupStatistics(multiplicities: [Int]) -> [Double] { resampling.groupStatistics(multiplicities: multiplicities) }
}
