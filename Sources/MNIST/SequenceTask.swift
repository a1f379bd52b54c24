import Linalg

/// How a 28×28 image becomes an input sequence x_1..x_T of I-vectors (pixel values in [0, 1]).
///
/// - rowwise: T = 28 steps, x_t = row t (28 inputs).
/// - pixelwise: T = 784 steps of 1 input, row-major pixel order.
/// - permuted: T = 784 steps of 1 input; step t presents pixel `permutation[t]`.
public enum SequenceTask: Equatable, Sendable, CustomStringConvertible {
    case rowwise
    case pixelwise
    case permuted(permutation: [Int])

    /// The seed-derived permutation of the permuted task: Fisher–Yates over 0..<784 driven by
    /// `SeededRandom(seed:)`. Models store the permutation itself, so it travels with them.
    public static func permuted(seed: UInt64) -> SequenceTask {
        var rng = SeededRandom(seed: seed)
        return .permuted(permutation: rng.permutation(MNISTDataset.pixels))
    }

    /// The task without its data (a permuted task's pixel order).
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case rowwise, pixelwise, permuted
    }

    public var kind: Kind {
        switch self {
        case .rowwise: return .rowwise
        case .pixelwise: return .pixelwise
        case .permuted: return .permuted
        }
    }

    public var name: String { kind.rawValue }

    /// The metadata `task` of a model of array sequences (no MNIST task).
    public static let noTaskName = "none"

    public var description: String { name }

    /// Number of steps T.
    public var steps: Int { self == .rowwise ? 28 : 784 }
    /// Inputs per step I.
    public var inputSize: Int { self == .rowwise ? 28 : 1 }

    /// The pixel indices (row-major, 0..<784) presented at step t (0-based).
    public func pixels(atStep t: Int) -> [Int] {
        switch self {
        case .rowwise: return Array((t * 28)..<(t * 28 + 28))
        case .pixelwise: return [t]
        case let .permuted(p): return [p[t]]
        }
    }

    /// For each pixel (row-major, 784), the step (0-based) that presents it: the inverse of
    /// ``pixels(atStep:)`` (every pixel is presented at exactly one step in all three tasks).
    public var stepOfEachPixel: [Int] {
        var stepOf = [Int](repeating: 0, count: 28 * 28)
        for t in 0..<steps { for pixel in pixels(atStep: t) { stepOf[pixel] = t } }
        return stepOf
    }

    /// The step (0-based) at which pixel `index` is presented.
    public func step(ofPixel index: Int) -> Int {
        switch self {
        case .rowwise: return index / 28
        case .pixelwise: return index
        case let .permuted(p): return p.firstIndex(of: index)!
        }
    }

    /// The sequence for an image of 784 values: T×I values, step-major (x_t contiguous).
    public func sequence(_ image: [Float]) -> [Float] {
        precondition(image.count == MNISTDataset.pixels, "an image has 784 pixels")
        switch self {
        case .rowwise, .pixelwise: return image
        case let .permuted(p): return p.map { image[$0] }
        }
    }

    /// The inverse of `sequence`: the image whose sequence is `seq`.
    public func image(fromSequence seq: [Float]) -> [Float] {
        precondition(seq.count == MNISTDataset.pixels)
        switch self {
        case .rowwise, .pixelwise: return seq
        case let .permuted(p):
            var img = [Float](repeating: 0, count: seq.count)
            for (t, pix) in p.enumerated() { img[pix] = seq[t] }
            return img
        }
    }

    /// Checks that a permutation is a bijection of 0..<784.
    public static func isValidPermutation(_ p: [Int]) -> Bool {
        guard p.count == MNISTDataset.pixels else { return false }
        var seen = [Bool](repeating: false, count: p.count)
        for v in p {
            guard v >= 0 && v < p.count && !seen[v] else { return false }
            seen[v] = true
        }
        return true
    }
}
