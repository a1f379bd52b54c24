import Foundation

/// Φ(x) = P(Z ≤ x) for a standard normal Z, as ½ erfc(−x/√2).
///
/// Computed through erfc, never as 1 − Φ(−x), so the lower tail keeps its relative accuracy:
/// Φ(−10) ≈ 7.62e-24 and Φ(−37) ≈ 5.7e-300 come out to ~1e-15 relative. The division by √2
/// is done in two parts (1/√2 = s + s_lo) and its rounding error δ is corrected to first order,
/// erfc(z + δ) ≈ erfc(z) − (2/√π) e^{−z²} δ, because the tail's relative condition number is
/// ~x², which would otherwise turn one ulp in z into ~x² ulps in the result.
///
/// Φ(−∞) = 0, Φ(+∞) = 1, NaN → NaN. Underflows to 0 only below x ≈ −38.5.
public func normalCDF(_ x: Double) -> Double {
    halfErfcOfScaled(-x)
}

/// The upper tail 1 − Φ(x) = P(Z > x) = ½ erfc(x/√2), computed directly (same accuracy as
/// `normalCDF(−x)`, which it equals exactly).
public func normalSurvival(_ x: Double) -> Double {
    halfErfcOfScaled(x)
}

/// ½ erfc(w/√2) with the rounding of w/√2 corrected to first order.
private func halfErfcOfScaled(_ w: Double) -> Double {
    if w.isNaN { return .nan }
    if w.isInfinite { return w > 0 ? 0 : 1 }
    let inverseSqrt2 = 0.7071067811865476            // 1/√2 rounded to Double
    let inverseSqrt2Low = -4.833646656726457e-17     // 1/√2 − inverseSqrt2
    let z = w * inverseSqrt2
    let roundingError = fma(w, inverseSqrt2, -z) + w * inverseSqrt2Low   // w/√2 − z
    let twoOverSqrtPi = 1.1283791670955126
    return 0.5 * (erfc(z) - twoOverSqrtPi * exp(-z * z) * roundingError)
}
