/// Counts of values in n equal-width bins over a fixed range [lowerBound, upperBound].
///
/// Bin i (0 ≤ i < n) is the half-open interval [e_i, e_{i+1}) with e_i = lo + i·(hi − lo)/n,
/// except the last bin, which is closed, [e_{n−1}, hi], so that hi itself is counted. Values are
/// assigned by comparing with exactly these edges (the ones `binEdges` reports), so a value
/// equal to an edge always lands in the bin that edge opens.
///
/// Out-of-range values are **not clamped**: values < lo go to `underflowCount`, values > hi to
/// `overflowCount`, NaN to `nanCount` (−∞ and +∞ count as underflow and overflow). `counts`
/// therefore describes exactly the values inside [lo, hi], and `totalCount` is everything added.
public struct Histogram: Sendable, Equatable, Hashable {
    public let lowerBound: Double
    public let upperBound: Double
    /// Count per bin, `binCount` entries.
    public private(set) var counts: [Int]
    public private(set) var underflowCount = 0
    public private(set) var overflowCount = 0
    public private(set) var nanCount = 0

    /// An empty histogram. Preconditions (programming errors): lo < hi, both finite with a finite
    /// width hi − lo, and binCount ≥ 1.
    public init(lowerBound: Double, upperBound: Double, binCount: Int) {
        precondition(lowerBound < upperBound && (upperBound - lowerBound).isFinite,
                     "Histogram needs finite bounds lo < hi, got [\(lowerBound), \(upperBound)]")
        precondition(binCount >= 1, "Histogram needs at least one bin, got \(binCount)")
        self.lowerBound = lowerBound
        self.upperBound = upperBound
        self.counts = [Int](repeating: 0, count: binCount)
    }

    /// A histogram of `values` (same preconditions as `init(lowerBound:upperBound:binCount:)`).
    public init(_ values: some Sequence<Double>, lowerBound: Double, upperBound: Double, binCount: Int) {
        self.init(lowerBound: lowerBound, upperBound: upperBound, binCount: binCount)
        add(contentsOf: values)
    }

    public var binCount: Int { counts.count }

    /// (hi − lo)/n.
    public var binWidth: Double { (upperBound - lowerBound) / Double(binCount) }

    /// e_i for i = 0…n (n + 1 values, first exactly lo, last exactly hi).
    public var binEdges: [Double] { (0...binCount).map(edge) }

    /// Midpoints (e_i + e_{i+1})/2 of the n bins.
    public var binCenters: [Double] { (0..<binCount).map { 0.5 * (edge($0) + edge($0 + 1)) } }

    /// Number of values inside [lo, hi] (the sum of `counts`).
    public var inRangeCount: Int { counts.reduce(0, +) }

    /// Every value added, including underflow, overflow and NaN.
    public var totalCount: Int { inRangeCount + underflowCount + overflowCount + nanCount }

    /// count_i / (inRangeCount · binWidth): a density that integrates to 1 over [lo, hi].
    /// All zeros when no value is in range.
    public var densities: [Double] {
        let inRange = inRangeCount
        guard inRange > 0 else { return [Double](repeating: 0, count: binCount) }
        let scale = 1 / (Double(inRange) * binWidth)
        return counts.map { Double($0) * scale }
    }

    /// The bin holding `value`, or nil if it is outside [lo, hi] or NaN.
    public func binIndex(of value: Double) -> Int? {
        guard value >= lowerBound && value <= upperBound else { return nil }
        let n = binCount
        let estimate = ((value - lowerBound) / (upperBound - lowerBound) * Double(n)).rounded(.down)
        var index = Swift.min(Swift.max(Int(estimate), 0), n - 1)
        // The estimate can be off by one next to an edge; settle it against the reported edges.
        while index > 0 && value < edge(index) { index -= 1 }
        while index < n - 1 && value >= edge(index + 1) { index += 1 }
        return index
    }

    public mutating func add(_ value: Double) {
        if let index = binIndex(of: value) {
            counts[index] += 1
        } else if value.isNaN {
            nanCount += 1
        } else if value < lowerBound {
            underflowCount += 1
        } else {
            overflowCount += 1
        }
    }

    public mutating func add(contentsOf values: some Sequence<Double>) {
        for value in values { add(value) }
    }

    /// e_i = lo + i·(hi − lo)/n, with e_n = hi exactly.
    private func edge(_ i: Int) -> Double {
        i == binCount ? upperBound : lowerBound + (upperBound - lowerBound) * Double(i) / Double(binCount)
    }
}
