import Foundation
import Linalg
import Lyapunov
import MNIST
import RNN

/// How each input pixel is scored for its sensitivity (paper Figs. 3–4, Table 1).
public enum PixelScore: Sendable, Equatable, CustomStringConvertible {
    /// ln r_t^1 at the step t at which the pixel is presented (the paper's score).
    case r1
    /// λ_1(t) at that step.
    case ftle1
    /// Σ_{k ≤ n} ln r_t^k at that step.
    case sum(Int)

    public init?(_ text: String) {
        switch text {
        case "r1": self = .r1
        case "ftle1": self = .ftle1
        default:
            guard text.hasPrefix("sum:"), let n = Int(text.dropFirst(4)), n >= 1 else { return nil }
            self = .sum(n)
        }
    }

    public var description: String {
        switch self {
        case .r1: return "r1"
        case .ftle1: return "ftle1"
        case let .sum(n): return "sum:\(n)"
        }
    }

    /// Tangent directions the score needs.
    public var directions: Int { if case let .sum(n) = self { return n }; return 1 }
}

/// Which pixels a flip may touch.
public enum FlipMode: String, Sendable, CaseIterable {
    /// Every pixel is a candidate; dark ones (< 0.001) go up to 1, the rest down to 0.
    case both
    /// Only dark pixels (< 0.001) are candidates; they go up to 1.
    case up
    /// Only lit pixels (≥ 0.001) are candidates; they go down to 0.
    case down
}

public enum Sensitivity {
    /// A pixel below this value is dark: flipping it sets it to 1 (an up flip).
    public static let darkThreshold: Float = 0.001

    /// Per-step score values s_t for t = 1…T from a Lyapunov trace.
    public static func stepScores(_ trace: LyapunovTrace, score: PixelScore) -> [Double] {
        switch score {
        case .r1: return trace.logR.map { $0[0] }
        case .ftle1: return trace.exponents.map { $0[0] }
        case let .sum(n): return trace.logR.map { $0.prefix(n).reduce(0, +) }
        }
    }

    /// The Lyapunov trace of an image under the model's task from h_0 = 0, with as many
    /// directions as the score needs.
    public static func trace(model: RNNModel<Double>, image: [Float], score: PixelScore,
                             jacobian: JacobianConvention = .forward) throws -> LyapunovTrace {
        try trace(network: Network(model), image: image, score: score, jacobian: jacobian)
    }

    /// The same for any network of an MNIST task (K at most its state size N).
    public static func trace(network: Network, image: [Float], score: PixelScore,
                             jacobian: JacobianConvention = .forward) throws -> LyapunovTrace {
        guard let task = network.imageTask else { preconditionFailure("the network has no MNIST task") }
        return try LyapunovTrace(network: network, sequence: network.sequence(ofImage: image).map(Double.init), steps: task.steps,
                                 k: min(score.directions, network.stateSize), jacobian: jacobian)
    }

    /// Score of every pixel (784, row-major): the score of the step at which it is presented
    /// (mapped back through the task's permutation; row-wise, a row's 28 pixels share a step).
    public static func pixelScores(stepScores s: [Double], task: SequenceTask) -> [Double] {
        task.stepOfEachPixel.map { s[$0] }
    }

    /// The candidates of `mode` in `image`, ranked by score, highest first (ties: lower pixel
    /// index first, so the ranking is deterministic).
    public static func ranking(scores: [Double], image: [Float], mode: FlipMode) -> [Int] {
        candidates(image, mode).sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
    }

    /// Pixels a flip of `mode` may touch.
    public static func candidates(_ image: [Float], _ mode: FlipMode) -> [Int] {
        (0..<image.count).filter {
            switch mode {
            case .both: return true
            case .up: return image[$0] < darkThreshold
            case .down: return image[$0] >= darkThreshold
            }
        }
    }

    /// The image with `pixels` flipped: below 0.001 → 1.0 (up), otherwise → 0.0 (down).
    public static func flipped(_ image: [Float], pixels: [Int]) -> [Float] {
        var out = image
        for p in pixels { out[p] = image[p] < darkThreshold ? 1 : 0 }
        return out
    }

    /// `count` seeded random k-subsets of the candidates (each without repetition).
    public static func randomSubsets(candidates: [Int], k: Int, count: Int, seed: UInt64) -> [[Int]] {
        var rng = SeededRandom(seed: seed)
        let kk = min(k, candidates.count)
        return (0..<count).map { _ in rng.sample(kk, from: candidates.count).map { candidates[$0] } }
    }

    /// Logits o_T (10 each) of many images under the model's task, as one batched forward
    /// pass (one GEMM per step for the whole batch).
    public static func logits<T: LinalgScalar>(model: RNNModel<T>, images: [[Float]]) -> [[Double]] {
        let task = model.task
        let batch = SequenceBatch<T>(sequences: images.map { model.sequence(ofImage: $0) }, labels: [Int](repeating: 0, count: images.count),
                                     steps: task.steps, inputSize: task.inputSize)
        let logits = model.finalLogits(batch)
        return (0..<images.count).map { n in logits.column(n).map { Double($0) } }
    }
}
