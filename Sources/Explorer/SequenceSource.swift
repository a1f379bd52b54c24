import Analysis
import Foundation
import RNN

/// The sequences the explorer steps through when the input is not an MNIST image: one T×I
/// array (`--input X.npy`, with an optional `--label`) or a labelled set (`--inputs X.npy
/// --labels Y.npy`, n/p moving between sequences). Values are Float64 as the file holds them,
/// fed to the network as they are (no image standardization).
public struct SequenceSource: Equatable, Sendable {
    /// The file the sequences come from (as given), and its last component for the header.
    public var path: String
    public var fileName: String
    /// N sequences of T steps of I inputs: `values` is N×T×I in C order.
    public var count: Int
    public var steps: Int
    public var inputSize: Int
    public var values: [Double]
    /// One label per sequence, or nil (a single `--input` without `--label`).
    public var labels: [Int]?
    /// Whether the file is a set (`--inputs`, N×T×I) rather than one sequence (`--input`, T×I).
    public var isSet: Bool
    /// x̄, the mean of x_t over the set per step and input (T×I): the `mean` baseline, as
    /// `ftle perturb --inputs --baseline mean` uses it.
    public var meanSequence: [Double]

    public init(path: String, count: Int, steps: Int, inputSize: Int, values: [Double], labels: [Int]?, isSet: Bool) {
        precondition(values.count == count * steps * inputSize && (labels?.count ?? count) == count, "inconsistent sequences")
        self.path = path
        fileName = URL(fileURLWithPath: path).lastPathComponent
        self.count = count; self.steps = steps; self.inputSize = inputSize; self.values = values
        self.labels = labels; self.isSet = isSet
        let length = steps * inputSize
        var mean = [Double](repeating: 0, count: length)
        for n in 0..<count { for j in 0..<length { mean[j] += values[n * length + j] / Double(count) } }
        meanSequence = mean
    }

    /// Sequence n, T×I values step-major.
    public func sequence(_ n: Int) -> [Double] {
        let length = steps * inputSize
        return Array(values[(n * length)..<((n + 1) * length)])
    }

    /// The label of sequence n, if known.
    public func label(_ n: Int) -> Int? { labels?[n] }

    /// The baselines that mean something here: zero always; the set mean only for a set of
    /// more than one sequence (one sequence's mean is the sequence itself).
    public var baselines: [StepBaseline] { count > 1 ? [.zero, .mean] : [.zero] }

    /// One sequence from `--input` (T×I, or T values when I = 1; '<f4', '<f8' or '<i8'), checked
    /// against the model's I; `label` must be a class of the model.
    public static func loadSingle(path: String, label: Int?, inputSize i: Int, classes: Int) throws -> SequenceSource {
        let (values, steps) = try readSequence(path, inputSize: i)
        if let label, label >= classes {
            throw ExplorerSetupError("--label must be 0...\(classes - 1) (got \(label)): the model has \(classes) classes")
        }
        return SequenceSource(path: path, count: 1, steps: steps, inputSize: i, values: values,
                              labels: label.map { [$0] }, isSet: false)
    }

    /// A labelled set from `--inputs` and `--labels` (`SequenceSet.load`: N×T×I, finite, one
    /// integer label ≥ 0 per sequence), checked against the model's I and C.
    public static func loadSet(inputs: String, labels: String, inputSize: Int, classes: Int) throws -> SequenceSource {
        let set = try SequenceSet.load(inputs: inputs, labels: labels, inputSize: inputSize)
        try set.checkLabels(classes: classes, path: labels)
        return SequenceSource(path: inputs, count: set.count, steps: set.steps, inputSize: set.inputSize, values: set.values,
                              labels: set.labels, isSet: true)
    }

    /// `x` with x_t replaced by the baseline at each 0-based step of `steps` (`mean`: the
    /// matching entries of `mean`, T×I).
    static func ablated(_ x: [Double], steps: [Int], inputSize: Int, baseline: StepBaseline, mean: [Double]) -> [Double] {
        var y = x
        for t in steps {
            for i in 0..<inputSize { y[t * inputSize + i] = baseline == .zero ? 0 : mean[t * inputSize + i] }
        }
        return y
    }
}
