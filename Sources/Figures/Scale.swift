import Foundation

/// An affine map from a data interval (domain) to a pixel interval (range):
///   position(v) = rangeStart + (v − domain.lower) · (rangeEnd − rangeStart) / (domain.upper − domain.lower).
/// rangeEnd < rangeStart is allowed (y axes grow upwards on screen). A degenerate domain
/// (lower == upper) maps everything to the middle of the range. Non-finite v gives a
/// non-finite position, which `SVGElement`'s factories turn into a skipped element.
public struct LinearScale: Sendable, Equatable {
    public var domainLower: Double
    public var domainUpper: Double
    public var rangeStart: Double
    public var rangeEnd: Double

    public init(domain: ClosedRange<Double>, range: (start: Double, end: Double)) {
        domainLower = domain.lowerBound
        domainUpper = domain.upperBound
        rangeStart = range.start
        rangeEnd = range.end
    }

    public func position(_ value: Double) -> Double {
        let span = domainUpper - domainLower
        guard span != 0 else { return value.isFinite ? 0.5 * (rangeStart + rangeEnd) : .nan }
        return rangeStart + (value - domainLower) * (rangeEnd - rangeStart) / span
    }

    public func callAsFunction(_ value: Double) -> Double { position(value) }
}

/// "Nice" axis ticks: equally spaced at a step of 1, 2 or 5 × 10^k, covering the data.
///
/// For an interval [lo, hi] and a target count n, the raw step (hi − lo)/n is rounded up to the
/// next 1-2-5 value; the ticks are then every multiple of the step from ⌊lo/step⌋·step to
/// ⌈hi/step⌉·step, so the first tick ≤ lo and the last ≥ hi (the axis covers the data), and there
/// are between n/2.5 + 1 and n + 3 of them. E.g. [0, 1], n = 5 → 0, 0.2, …, 1;
/// [−0.37, 2.1] → −0.5, 0, …, 2.5. Each value is computed as an integer times the power of ten
/// (i·m·10^k, or i·m / 10^−k), so 0.6 is the Double nearest 0.6, not 3 × 0.2 = 0.6000000000000001.
///
/// Degenerate input: non-finite bounds give the ticks of [0, 1]; lo > hi are swapped; lo == hi
/// is widened by 10 % of |lo| (or by 1 when lo = 0).
public struct Ticks: Sendable, Equatable {
    /// Tick positions in data units, increasing.
    public let values: [Double]
    /// The spacing m · 10^k.
    public let step: Double
    /// Text for each tick: fixed-point with just enough decimals for the step, or exponent
    /// notation beyond 1e6 / below 1e-4; negative numbers use the typographic minus "−".
    public let labels: [String]

    public var lowerBound: Double { values.first ?? 0 }
    public var upperBound: Double { values.last ?? 1 }

    public static func nice(covering lower: Double, _ upper: Double, targetCount: Int = 5) -> Ticks {
        var (lo, hi) = (lower, upper)
        if !lo.isFinite || !hi.isFinite { (lo, hi) = (0, 1) }
        if lo > hi { swap(&lo, &hi) }
        if lo == hi {
            let pad = lo == 0 ? 1 : 0.1 * abs(lo)
            (lo, hi) = (lo - pad, hi + pad)
        }
        let rawStep = (hi - lo) / Double(max(targetCount, 1))
        var exponent = Int(log10(rawStep).rounded(.down))
        let fraction = rawStep / pow(10, Double(exponent))
        let slack = 1 + 1e-9    // 0.2/0.1 may come out as 2.0000000000000004
        var mantissa: Int
        if fraction <= 1 * slack { mantissa = 1 }
        else if fraction <= 2 * slack { mantissa = 2 }
        else if fraction <= 5 * slack { mantissa = 5 }
        else { mantissa = 1; exponent += 1 }

        func value(_ i: Int) -> Double {
            exponent >= 0 ? Double(i * mantissa) * pow(10, Double(exponent))
                          : Double(i * mantissa) / pow(10, Double(-exponent))
        }
        let step = value(1)
        // A bound within rounding (here 1e-12 relative) of a multiple of the step counts as on
        // it, so 1.0000000000000002 / 0.2 does not add a tick at 1.2.
        let lowIndex = lo / step, highIndex = hi / step
        let first = Int((lowIndex + 1e-12 * max(1, abs(lowIndex))).rounded(.down))
        let last = Int((highIndex - 1e-12 * max(1, abs(highIndex))).rounded(.up))
        let values = (first...max(first, last)).map(value)
        let labels = values.map { formatTick($0, exponent: exponent) }
        return Ticks(values: values, step: step, labels: labels)
    }

    /// Fixed-point with max(0, −k) decimals for a step of m·10^k (so 0, 0.2, …, 1 read "0.0",
    /// "0.2", …, "1.0"), or "%g" style for very large or small magnitudes; "−" (U+2212) for
    /// negatives; zero never gets a sign.
    static func formatTick(_ value: Double, exponent: Int) -> String {
        let value = value == 0 ? 0 : value
        let text: String
        if abs(value) >= 1e6 || exponent < -4 {
            text = String(format: "%g", value)
        } else {
            text = String(format: "%.\(max(0, -exponent))f", value)
        }
        return text.replacingOccurrences(of: "-", with: "\u{2212}")
    }
}

extension Ticks {
    /// A stand-alone value (not on a tick grid) with up to 4 significant digits ("%.4g"), "−" for
    /// negatives, "nan"-free: non-finite values are written as "—".
    public static func formatValue(_ value: Double) -> String {
        guard value.isFinite else { return "\u{2014}" }
        if value == 0 { return "0" }
        return String(format: "%.4g", value).replacingOccurrences(of: "-", with: "\u{2212}")
    }
}

/// The finite extent of some data, for choosing an axis range.
public enum DataExtent {
    /// (min, max) over the finite values, or nil when there are none.
    public static func of(_ values: some Sequence<Double>) -> (lower: Double, upper: Double)? {
        var lower = Double.infinity, upper = -Double.infinity
        for value in values where value.isFinite {
            lower = min(lower, value)
            upper = max(upper, value)
        }
        return lower <= upper ? (lower, upper) : nil
    }
}
