import Foundation
import Linalg
import RNN
import Testing
import TestSupport

/// `ftle data`'s tasks (SyntheticTask, SyntheticTaskFiles): the files are deterministic in the
/// seed, read back through `SequenceSet.load` with the stated shapes and dtypes, the classes are
/// balanced, and every label is recomputed here from the written inputs by the task's definition.
@Suite struct SyntheticTaskTests {
    static let tasks: [SyntheticTask] = [.copy(symbols: 5, length: 3), .delayedXOR(delay: 3), .adding]

    func bytes(_ path: String) throws -> [UInt8] { try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) }

    /// Writes `task` into a fresh folder and returns its paths.
    func written(_ task: SyntheticTask, count: Int, steps: Int, seed: UInt64) throws -> SyntheticTaskFiles.Paths {
        let dir = makeTemporaryDirectory("synthetic")
        return try SyntheticTaskFiles.write(task, count: count, steps: steps, seed: seed, folder: dir + "/set",
                                            replacing: false, command: "test")
    }

    @Test(arguments: tasks)
    func sameSeedSameBytesOtherSeedOtherBytes(_ task: SyntheticTask) throws {
        let a = try written(task, count: 300, steps: 13, seed: 7), b = try written(task, count: 300, steps: 13, seed: 7)
        let c = try written(task, count: 300, steps: 13, seed: 8)
        #expect(try bytes(a.inputs) == bytes(b.inputs))
        #expect(try bytes(a.labels) == bytes(b.labels))
        #expect(try bytes(a.task) == bytes(b.task))
        #expect(try bytes(a.inputs) != bytes(c.inputs))
        #expect(try bytes(a.labels) != bytes(c.labels))
    }

    /// The files hold N×T×I '<f4' and N '<i8', exactly the values `generate` draws in memory
    /// (several chunks: 70 000 sequences of copy are more than one chunk of 2^20 values).
    @Test(arguments: [(SyntheticTask.copy(symbols: 5, length: 3), 70_000), (.delayedXOR(delay: 3), 500), (.adding, 500)])
    func filesReadBackWithTheirShapesAndDtypes(_ task: SyntheticTask, _ count: Int) throws {
        let steps = 13
        let p = try written(task, count: count, steps: steps, seed: 3)
        let x = try NPYArray(contentsOf: p.inputs), y = try NPYArray(contentsOf: p.labels)
        #expect(x.descriptor == "<f4" && x.shape == [count, steps, task.inputSize])
        #expect(y.descriptor == "<i8" && y.shape == [count])
        let set = try SequenceSet.load(inputs: p.inputs, labels: p.labels, inputSize: task.inputSize)
        #expect(set.count == count && set.steps == steps && set.inputSize == task.inputSize)
        #expect(set.classCount == task.classes)
        #expect(set == task.generate(count: count, steps: steps, seed: 3))
        let json = try #require(JSONSerialization.jsonObject(with: Data(bytes(p.task))) as? [String: Any])
        #expect(json["name"] as? String == task.name && json["steps"] as? Int == steps && json["count"] as? Int == count)
        #expect(json["seed"] as? Int == 3 && json["input_size"] as? Int == task.inputSize && json["classes"] as? Int == task.classes)
        #expect(json["parameters"] as? [String: Int] == task.parameters && json["definition"] as? String == task.definition)
    }

    /// Each class's count lies within 4 binomial standard deviations of N·p (p = 1/C; adding's
    /// P(label 1) is 1/2 − 3·2^−25 + 2^−48).
    @Test(arguments: [SyntheticTask.copy(symbols: 8, length: 1), .copy(symbols: 3, length: 4), .delayedXOR(delay: 0), .delayedXOR(delay: 6), .adding])
    func classesAreBalanced(_ task: SyntheticTask) {
        let n = 40_000
        let set = task.generate(count: n, steps: 8, seed: 11)
        let p = 1 / Double(task.classes), sd = (Double(n) * p * (1 - p)).squareRoot()
        for c in 0..<task.classes {
            let k = set.labels.filter { $0 == c }.count
            #expect(abs(Double(k) - Double(n) * p) <= 4 * sd, "\(task.name) class \(c): \(k) of \(n)")
        }
    }

    /// delayed-xor: every input is ±1, label = [x_1 ≠ x_{T−D}], recomputed from inputs.npy; and
    /// neither bit alone tells the label (P(label 1 | bit = +1) within 4 SD of 1/2 for each).
    @Test(arguments: [(2, 0), (9, 0), (9, 4), (9, 7)])
    func delayedXORLabelIsTheXOROfTheTwoBits(_ steps: Int, _ delay: Int) throws {
        let p = try written(.delayedXOR(delay: delay), count: 4000, steps: steps, seed: 5)
        let x = try NPYArray(contentsOf: p.inputs).values, y = try NPYArray(contentsOf: p.labels).values
        #expect(x.allSatisfy { $0 == 1 || $0 == -1 })
        var onFirst = (plus: 0, ones: 0), onSecond = (plus: 0, ones: 0)
        for n in 0..<4000 {
            let first = x[n * steps], second = x[n * steps + steps - 1 - delay]
            #expect(y[n] == (first != second ? 1 : 0), "sequence \(n)")
            if first == 1 { onFirst.plus += 1; onFirst.ones += Int(y[n]) }
            if second == 1 { onSecond.plus += 1; onSecond.ones += Int(y[n]) }
        }
        guard steps - 1 - delay > 0 else { return }
        for (k, m) in [onFirst, onSecond] {
            #expect(abs(Double(m) - Double(k) / 2) <= 4 * (Double(k) / 4).squareRoot(), "one bit tells the label: \(m) of \(k)")
        }
    }

    /// copy: every step is one-hot over K + 1 channels, symbols at steps 1…L, the blank channel
    /// K after; label = the symbol of step 1, recomputed from inputs.npy.
    @Test(arguments: [(2, 2, 1), (12, 5, 3), (12, 5, 11), (7, 256, 1)])
    func copyLabelIsTheFirstSymbol(_ steps: Int, _ symbols: Int, _ length: Int) throws {
        let count = 1000, i = symbols + 1
        let p = try written(.copy(symbols: symbols, length: length), count: count, steps: steps, seed: 9)
        let x = try NPYArray(contentsOf: p.inputs).values, y = try NPYArray(contentsOf: p.labels).values
        for n in 0..<count {
            var first = -1
            for t in 0..<steps {
                let row = Array(x[((n * steps + t) * i)..<((n * steps + t + 1) * i)])
                #expect(row.allSatisfy { $0 == 0 || $0 == 1 } && row.reduce(0, +) == 1, "sequence \(n) step \(t + 1) is not one-hot")
                let hot = row.firstIndex(of: 1) ?? -1
                #expect(t < length ? hot < symbols : hot == symbols, "sequence \(n) step \(t + 1): channel \(hot)")
                if t == 0 { first = hot }
            }
            #expect(Int(y[n]) == first, "sequence \(n)")
        }
    }

    /// adding: channel 0 in [0, 1) on the 2^−24 grid, channel 1 exactly two 1s (one in steps
    /// 1…⌊T/2⌋, one in ⌊T/2⌋+1…T), label = [u_a + u_b > 1] in Float64, recomputed from inputs.npy.
    @Test(arguments: [2, 3, 15, 40])
    func addingLabelIsWhetherTheMarkedSumExceedsOne(_ steps: Int) throws {
        let count = 3000, half = steps / 2
        let p = try written(.adding, count: count, steps: steps, seed: 13)
        let x = try NPYArray(contentsOf: p.inputs).values, y = try NPYArray(contentsOf: p.labels).values
        var marksInFirstHalf = [Int](repeating: 0, count: half)
        for n in 0..<count {
            let u = (0..<steps).map { x[(n * steps + $0) * 2] }, m = (0..<steps).map { x[(n * steps + $0) * 2 + 1] }
            #expect(u.allSatisfy { $0 >= 0 && $0 < 1 && ($0 * 0x1.0p24).rounded() == $0 * 0x1.0p24 })
            #expect(m.allSatisfy { $0 == 0 || $0 == 1 })
            let marked = m.indices.filter { m[$0] == 1 }
            #expect(marked.count == 2 && marked[0] < half && marked[1] >= half, "sequence \(n): marks at \(marked)")
            guard marked.count == 2 else { continue }
            marksInFirstHalf[marked[0]] += 1
            #expect(y[n] == (u[marked[0]] + u[marked[1]] > 1 ? 1 : 0), "sequence \(n)")
        }
        // The first mark is uniform over the first half (each step within 4 SD of N/⌊T/2⌋).
        let q = 1 / Double(half), sd = (Double(count) * q * (1 - q)).squareRoot()
        #expect(marksInFirstHalf.allSatisfy { abs(Double($0) - Double(count) * q) <= 4 * sd + 1e-9 }, "\(marksInFirstHalf)")
    }

    @Test func sizesAreLimitedTo2To31Values() {
        #expect(SyntheticTaskFiles.sizeProblem(count: 1 << 30, steps: 2, inputSize: 1) == nil)
        #expect(SyntheticTaskFiles.sizeProblem(count: 1 << 30, steps: 2, inputSize: 2)
            == "N × T × I = 1073741824 × 2 × 2 = 4294967296 values is more than the limit of 2^31 = 2147483648")
        #expect(SyntheticTaskFiles.sizeProblem(count: 3, steps: Int.max, inputSize: 1)
            == "N × T × I = 3 × 9223372036854775807 × 1 values (beyond 2^63) is more than the limit of 2^31 = 2147483648")
    }

    /// A folder that holds a set is refused unless `replacing`; replacing writes the new set.
    @Test func anExistingSetIsReplacedOnlyWhenAsked() throws {
        let dir = makeTemporaryDirectory("synthetic-replace") + "/set"
        try SyntheticTaskFiles.write(.adding, count: 10, steps: 4, seed: 1, folder: dir, replacing: false, command: "test")
        let before = try bytes(dir + "/inputs.npy")
        #expect(throws: OutputFileError(path: dir + "/inputs.npy", reason: "it exists already (replace the set with --force)")) {
            try SyntheticTaskFiles.write(.adding, count: 10, steps: 4, seed: 2, folder: dir, replacing: false, command: "test")
        }
        #expect(try bytes(dir + "/inputs.npy") == before)
        try SyntheticTaskFiles.write(.adding, count: 10, steps: 4, seed: 2, folder: dir, replacing: true, command: "test")
        #expect(try bytes(dir + "/inputs.npy") != before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["inputs.npy", "labels.npy", "task.json"])
    }

    /// '<i8' arrays round-trip through the reader (labels), '<f4' and '<f8' as before.
    @Test func npyWritesInt64() throws {
        let a = NPYArray(shape: [4], values: [0, 3, -2, 9_007_199_254_740_992])
        let back = try NPYArray(parsing: a.encoded(descriptor: "<i8"), path: "y")
        #expect(back.descriptor == "<i8" && back.shape == [4] && back.values == a.values)
        #expect(a.encoded(descriptor: "<f8") == a.encoded() && a.encoded(descriptor: "<f4") == a.encoded(float32: true))
    }

    /// The inputs carry the task: a small tanh network learns copy at T = 6 far above chance (1/4).
    /// (At H = 16, lr 0.01 and 500 sequences it can sit on a plateau at loss ln 2, two pairs of
    /// symbols confused; this setting learned every seed tried, 21 and 23–25, to 100 %.)
    @Test func shortCopyIsLearnable() throws {
        let all = SyntheticTask.copy(symbols: 4, length: 1).generate(count: 2000, steps: 6, seed: 21)
        let train = all.subset(Array(0..<1800)), test = all.subset(Array(1800..<2000))
        var config = TrainingConfig()
        config.hidden = 32; config.epochs = 4; config.batchSize = 20; config.learningRate = 0.003; config.seed = 1
        config.sequenceData = SequenceDataRecord(inputs: "x.npy", labels: "y.npy", testInputs: nil, testLabels: nil, count: 1800, steps: 6,
                                                 inputSize: train.inputSize, classes: 4, nonlinearity: .tanh)
        let run = try SequenceSetTrainer<Float>(config: config, train: train, test: test, classes: 4, nonlinearity: .tanh,
                                                outputDirectory: makeTemporaryDirectory("short-copy"))
        var accuracy: Double?
        #expect(try run.run(shouldStop: { false }) { if case let .epochEnd(_, _, a) = $0 { accuracy = a } } == .finished)
        #expect((accuracy ?? 0) >= 0.9, "test accuracy \(accuracy ?? -1)")
    }
}
