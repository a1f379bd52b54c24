import Foundation
import Linalg

/// What a sequence-set run (`ftle train --inputs X.npy --labels Y.npy`) trained on, kept in its
/// checkpoint's config so that `--resume` reads the same sequences again and refuses others:
/// the files (as given, or made absolute by the caller), the set's shape, the classes and φ.
public struct SequenceDataRecord: Codable, Sendable, Equatable {
    public var inputs: String
    public var labels: String
    /// The test set's files; nil: a seeded 10 % of `inputs` was held out (seed: the run's).
    public var testInputs: String?
    public var testLabels: String?
    /// N (after any hold-out), T and I of the training sequences.
    public var count: Int
    public var steps: Int
    public var inputSize: Int
    /// C.
    public var classes: Int
    public var nonlinearity: Nonlinearity

    public init(inputs: String, labels: String, testInputs: String?, testLabels: String?, count: Int, steps: Int, inputSize: Int,
                classes: Int, nonlinearity: Nonlinearity) {
        self.inputs = inputs; self.labels = labels; self.testInputs = testInputs; self.testLabels = testLabels
        self.count = count; self.steps = steps; self.inputSize = inputSize; self.classes = classes; self.nonlinearity = nonlinearity
    }

    /// The training and test sets a run of this record uses: the files read again, the
    /// seeded hold-out (`seed`) redone when there is no test file. Throws one line naming the
    /// file when what is read is not what the run trained on (another N, T, I or more classes).
    public func load(seed: UInt64, checkpoint path: String) throws -> (train: SequenceSet, test: SequenceSet) {
        var train = try SequenceSet.load(inputs: inputs, labels: labels, inputSize: inputSize)
        let test: SequenceSet
        if let testInputs, let testLabels {
            test = try SequenceSet.load(inputs: testInputs, labels: testLabels, inputSize: inputSize)
        } else {
            let split = TrainingSplit(count: train.count, validationFraction: SequenceDataRecord.heldOutFraction, seed: seed)
            test = train.subset(split.validation)
            train = train.subset(split.training)
        }
        guard train.count == count, train.steps == steps, test.steps == steps else {
            throw FileFormatError(path: inputs, "gives \(train.count) training sequences of \(train.steps) steps, but the run in \(path) "
                                  + "trained on \(count) of \(steps) steps")
        }
        try train.checkLabels(classes: classes, path: labels)
        try test.checkLabels(classes: classes, path: testLabels ?? labels)
        return (train, test)
    }

    /// The fraction of `inputs` held out for testing when no test files are given.
    public static let heldOutFraction = 0.1
}
