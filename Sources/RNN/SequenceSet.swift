import Foundation
import Linalg

/// A labelled set of N sequences of T steps of I inputs, held in Float64 as read:
/// `values` is N×T×I in C order (sequence n, step t, input i at (n·T + t)·I + i).
public struct SequenceSet: Sendable, Equatable {
    public let count: Int
    public let steps: Int
    public let inputSize: Int
    public let values: [Double]
    public let labels: [Int]

    public init(count: Int, steps: Int, inputSize: Int, values: [Double], labels: [Int]) {
        precondition(values.count == count * steps * inputSize && labels.count == count, "inconsistent sequence set")
        self.count = count; self.steps = steps; self.inputSize = inputSize; self.values = values; self.labels = labels
    }

    /// Reads `inputs` (.npy, N×T×I; N×T when I = 1; '<f4', '<f8' or '<i8') and `labels`
    /// (.npy, N integers ≥ 0, any of those dtypes with integral values). Checks that the
    /// counts agree, that every value is finite, and, when `inputSize` is given, that I matches.
    public static func load(inputs: String, labels labelsPath: String, inputSize expected: Int? = nil) throws -> SequenceSet {
        let x = try loadUnlabelled(inputs: inputs, inputSize: expected)
        let n = x.count
        let y = try NPYArray(contentsOf: labelsPath)
        guard y.shape.count == 1 else { throw FileFormatError(path: labelsPath, "labels have shape \(y.shape), expected N") }
        guard y.shape[0] == n else {
            throw FileFormatError(path: labelsPath, "\(y.shape[0]) labels for \(n) sequences in \(inputs)")
        }
        var labels: [Int] = []
        labels.reserveCapacity(n)
        for (k, v) in y.values.enumerated() {
            guard v.isFinite, v >= 0, v == v.rounded(), v < 1e9 else {
                throw FileFormatError(path: labelsPath, "label \(k) is \(v), expected an integer ≥ 0")
            }
            labels.append(Int(v))
        }
        return SequenceSet(count: n, steps: x.steps, inputSize: x.inputSize, values: x.values, labels: labels)
    }

    /// `inputs` alone (the checks of `load` on the array), every label 0: for what needs no
    /// labels (an ensemble of spectra).
    public static func loadUnlabelled(inputs: String, inputSize expected: Int? = nil) throws -> SequenceSet {
        let x = try NPYArray(contentsOf: inputs)
        let n: Int, t: Int, i: Int
        switch x.shape.count {
        case 3: (n, t, i) = (x.shape[0], x.shape[1], x.shape[2])
        case 2 where expected == 1: (n, t, i) = (x.shape[0], x.shape[1], 1)
        default: throw FileFormatError(path: inputs, "array has shape \(x.shape), expected N×T×I")
        }
        if let expected, i != expected {
            throw FileFormatError(path: inputs, "sequences have \(i) inputs per step but the model takes \(expected)")
        }
        guard n >= 1, t >= 1, i >= 1 else { throw FileFormatError(path: inputs, "array has shape \(x.shape): no sequences, steps or inputs") }
        guard x.values.allSatisfy(\.isFinite) else { throw FileFormatError(path: inputs, "array contains NaN or Inf") }
        return SequenceSet(count: n, steps: t, inputSize: i, values: x.values, labels: [Int](repeating: 0, count: n))
    }

    /// The largest label + 1.
    public var classCount: Int { (labels.max() ?? -1) + 1 }

    /// Sequence n, T×I values step-major.
    public func sequence(_ n: Int) -> [Double] {
        let len = steps * inputSize
        return Array(values[(n * len)..<((n + 1) * len)])
    }

    /// Sequences `indices` as a batch (converted to T once).
    public func batch<T: LinalgScalar>(_ indices: [Int], as: T.Type = T.self) -> SequenceBatch<T> {
        SequenceBatch<T>(sequences: indices.map(sequence), labels: indices.map { labels[$0] }, steps: steps, inputSize: inputSize)
    }

    /// The subset `indices`, in that order.
    public func subset(_ indices: [Int]) -> SequenceSet {
        SequenceSet(count: indices.count, steps: steps, inputSize: inputSize, values: indices.flatMap(sequence),
                    labels: indices.map { labels[$0] })
    }

    /// Throws unless every label is below `classes` (names the first that is not).
    public func checkLabels(classes: Int, path: String) throws {
        if let k = labels.firstIndex(where: { $0 >= classes }) {
            throw FileFormatError(path: path, "label \(k) is \(labels[k]) but the model has \(classes) classes (0...\(classes - 1))")
        }
    }
}

/// Mean cross-entropy of o_T and accuracy of `model` over `set` (in batches of `batchSize`).
public func evaluate<T>(_ model: RNNModel<T>, on set: SequenceSet, batchSize: Int = 500) -> (loss: Double, accuracy: Double) {
    var totalLoss = 0.0, correct = 0, start = 0
    while start < set.count {
        let idx = Array(start..<min(start + batchSize, set.count))
        let batch: SequenceBatch<T> = set.batch(idx)
        let r = CrossEntropy.evaluate(model.finalLogits(batch), labels: batch.labels)
        totalLoss += r.loss * Double(idx.count)
        correct += r.correct
        start += batchSize
    }
    return (totalLoss / Double(set.count), Double(correct) / Double(set.count))
}

/// A T×I sequence from .npy ('<f4', '<f8' or '<i8'; a 1-D array of T values when I = 1),
/// its values as Float64 exactly as stored.
public func readSequence(_ path: String, inputSize i: Int) throws -> (values: [Double], steps: Int) {
    let arr = try NPYArray(contentsOf: path)
    let steps: Int
    switch arr.shape.count {
    case 2:
        guard arr.shape[1] == i else {
            throw FileFormatError(path: path, "array is \(arr.shape[0])×\(arr.shape[1]) but the model takes \(i) inputs per step (expected T×\(i))")
        }
        steps = arr.shape[0]
    case 1 where i == 1: steps = arr.shape[0]
    default: throw FileFormatError(path: path, "array has shape \(shapeForMessage(arr.shape)), expected T×\(i)")
    }
    guard steps >= 1 else { throw FileFormatError(path: path, "array has no steps (T = 0)") }
    guard arr.values.allSatisfy(\.isFinite) else { throw FileFormatError(path: path, "array contains NaN or Inf") }
    return (arr.values, steps)
}
