import Foundation
import Linalg
import RNN
import Testing
import TestSupport

@Suite struct SequenceTrainingTests {
    /// 300 sequences (T = 5, I = 3) labelled by the input with the largest sum: a learnable
    /// rule. A 16-unit classifier trained on 270 for 10 epochs (the one trainer, `ModelTrainer`,
    /// as `ftle train --inputs` runs it) classifies the held-out 30 far above chance (1/3), and
    /// its reported test accuracy is `evaluate`'s.
    @Test func learnsASimpleRule() throws {
        var rng = SeededRandom(seed: 2)
        var values: [Double] = [], labels: [Int] = []
        for _ in 0..<300 {
            let x = (0..<15).map { _ in rng.nextNormal() }
            let sums = (0..<3).map { i in stride(from: i, to: 15, by: 3).map { x[$0] }.reduce(0, +) }
            values += x; labels.append(sums.indices.max { sums[$0] < sums[$1] }!)
        }
        let all = SequenceSet(count: 300, steps: 5, inputSize: 3, values: values, labels: labels)
        let train = all.subset(Array(0..<270)), test = all.subset(Array(270..<300))
        var config = TrainingConfig()
        config.hidden = 16; config.epochs = 10; config.batchSize = 16; config.learningRate = 0.01; config.seed = 1
        config.sequenceData = SequenceDataRecord(inputs: "x.npy", labels: "y.npy", testInputs: nil, testLabels: nil, count: 270, steps: 5,
                                                 inputSize: 3, classes: 3, nonlinearity: .tanh)
        let run = try SequenceSetTrainer<Float>(config: config, train: train, test: test, classes: 3, nonlinearity: .tanh,
                                                outputDirectory: makeTemporaryDirectory("sequence-training"))
        var last: (epoch: Int, accuracy: Double)?
        #expect(try run.run(shouldStop: { false }) { if case let .epochEnd(e, _, a) = $0 { last = (e, a) } } == .finished)
        #expect(last?.epoch == 9)
        #expect((last?.accuracy ?? 0) >= 0.7, "test accuracy \(last?.accuracy ?? -1)")
        #expect(last?.accuracy == evaluate(run.model, on: test).accuracy)
        #expect(run.model.classes == 3 && run.model.inputSize == 3)
    }

    @Test func setFilesAreChecked() throws {
        let dir = makeTemporaryDirectory("seqset")
        func write(_ name: String, _ a: NPYArray) { try! Data(a.encoded(float32: false)).write(to: URL(fileURLWithPath: dir + "/" + name)) }
        write("x.npy", NPYArray(shape: [4, 2, 3], values: (0..<24).map(Double.init)))
        write("y.npy", NPYArray(shape: [4], values: [0, 1, 2, 1]))
        write("y3.npy", NPYArray(shape: [3], values: [0, 1, 2]))
        write("yneg.npy", NPYArray(shape: [4], values: [0, -1, 2, 1]))
        let s = try SequenceSet.load(inputs: dir + "/x.npy", labels: dir + "/y.npy")
        #expect(s.count == 4 && s.steps == 2 && s.inputSize == 3 && s.classCount == 3 && s.sequence(1) == (6..<12).map(Double.init))
        #expect(throws: FileFormatError(path: dir + "/y3.npy", "3 labels for 4 sequences in \(dir)/x.npy")) {
            try SequenceSet.load(inputs: dir + "/x.npy", labels: dir + "/y3.npy")
        }
        #expect(throws: FileFormatError(path: dir + "/yneg.npy", "label 1 is -1.0, expected an integer ≥ 0")) {
            try SequenceSet.load(inputs: dir + "/x.npy", labels: dir + "/yneg.npy")
        }
        #expect(throws: FileFormatError(path: dir + "/x.npy", "sequences have 3 inputs per step but the model takes 2")) {
            try SequenceSet.load(inputs: dir + "/x.npy", labels: dir + "/y.npy", inputSize: 2)
        }
    }
}
