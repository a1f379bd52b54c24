import Foundation

// Descriptive statistics of a sample x_1 … x_n, in Float64.
//
// Conventions for every function in this file:
// - An empty sample, or a sample too small for the estimator (n < 2 for the sample variance),
//   gives NaN: the quantity is undefined, and NaN makes a table cell read "nan" rather than a
//   plausible-looking number.
// - For the variances and deviations, any NaN or ±∞ in the sample gives NaN, never ±∞ (the
//   mean follows IEEE arithmetic, see `mean`). Finite values whose squared deviations overflow
//   give +∞.
// - Sums are compensated (Neumaier), and the variance uses the corrected two-pass formula, so
//   the relative error is a few ulps times the condition number of the sample, not n ulps.

/// The arithmetic mean x̄ = (1/n) Σ x_i, computed with compensated summation.
///
/// Returns NaN for an empty sample. NaN or ±∞ in the sample propagate (an infinite sample
/// gives ±∞ or NaN as IEEE arithmetic dictates; callers wanting "finite or NaN" should use
/// `sampleVariance`, which is NaN whenever the mean is not finite).
public func mean(_ values: some Collection<Double>) -> Double {
    guard !values.isEmpty else { return .nan }
    return compensatedSum(values) / Double(values.count)
}

/// The unbiased sample variance s² = Σ (x_i − x̄)² / (n − 1).
///
/// Uses the corrected two-pass algorithm s² = (Σ d_i² − (Σ d_i)²/n) / (n − 1) with d_i = x_i − x̄,
/// whose second term cancels the rounding error of x̄. For n < 2 the estimator is undefined
/// and the result is **NaN** (not 0): a single observation says nothing about spread.
public func sampleVariance(_ values: some Collection<Double>) -> Double {
    guard values.count >= 2 else { return .nan }
    return sumOfSquaredDeviations(values) / Double(values.count - 1)
}

/// The sample standard deviation s = √(sampleVariance) (n − 1 denominator); NaN for n < 2.
public func standardDeviation(_ values: some Collection<Double>) -> Double {
    sampleVariance(values).squareRoot()
}

/// The population variance σ² = Σ (x_i − x̄)² / n (the sample taken as the whole population).
/// NaN for an empty sample, 0 for a single finite value.
public func populationVariance(_ values: some Collection<Double>) -> Double {
    guard !values.isEmpty else { return .nan }
    return sumOfSquaredDeviations(values) / Double(values.count)
}

/// The population standard deviation σ = √(populationVariance); NaN for an empty sample.
public func populationStandardDeviation(_ values: some Collection<Double>) -> Double {
    populationVariance(values).squareRoot()
}

/// Σ x_i by Neumaier's compensated summation: error ≈ 2ε·Σ|x_i| instead of n·ε·Σ|x_i|.
func compensatedSum(_ values: some Sequence<Double>) -> Double {
    var sum = 0.0, compensation = 0.0
    for value in values {
        let next = sum + value
        if abs(sum) >= abs(value) {
            compensation += (sum - next) + value
        } else {
            compensation += (value - next) + sum
        }
        sum = next
    }
    return sum + compensation
}

/// Σ (x_i − x̄)² − (Σ (x_i − x̄))²/n, clamped at 0 (the correction can round just below it);
/// NaN when the sample contains a non-finite value.
func sumOfSquaredDeviations(_ values: some Collection<Double>) -> Double {
    let center = mean(values)
    guard center.isFinite else { return .nan }
    var squares = 0.0, deviations = 0.0
    for value in values {
        let deviation = value - center
        squares += deviation * deviation
        deviations += deviation
    }
    guard squares.isFinite else { return squares.isNaN ? .nan : .infinity }
    return max(0, squares - deviations * deviations / Double(values.count))
}
