import Foundation
import Linalg
import MNIST
import RNN
import Testing
import TestSupport

/// The training options of the paper's recipes: RMSprop, the summed loss, bias modes and the
/// Xavier-normal gains, each against a hand computation or an invariant, in Float64.
@Suite struct RecipeTests {
    /// A one-unit model (H = 1, I = 28, rowwise) whose five parameter arrays are tiny, so a
    /// step can be checked entry by entry.
    static func unitModel(biasMode: BiasMode) -> RNNModel<Double> {
        RNNModel<Double>(task: .rowwise, hidden: 1, initialization: .xavierNormal, seed: 1, biasMode: biasMode)
    }

    static func gradients(_ g: Double, for m: RNNModel<Double>) -> RNNGradients<Double> {
        var grads = RNNGradients<Double>(hidden: m.hidden, inputSize: m.inputSize)
        grads.u.storage = grads.u.storage.map { _ in g }
        grads.v.storage = [g]; grads.b = [g]
        grads.w.storage = grads.w.storage.map { _ in g }; grads.c = grads.c.map { _ in g }
        return grads
    }

    /// torch.optim.RMSprop(lr=0.01), alpha 0.99, eps 1e-8, two steps with g = 0.5 then −0.2,
    /// worked by hand:
    ///   s₁ = 0.01·0.25 = 0.0025, √s₁ = 0.05,        Δθ₁ = −0.01·0.5/(0.05 + 1e-8)      = −0.09999998…
    ///   s₂ = 0.99·0.0025 + 0.01·0.04 = 0.002875,     Δθ₂ = +0.01·0.2/(0.0536190265… + 1e-8) = +0.0373001853…
    /// (√0.002875 = 0.05361902647381804). Tolerance 1e-15 on the O(1) weights and 1e-17 on the
/// O(1e-3) averages (a few ulps each).
    @Test func rmspropMatchesHandComputedSteps() {
        var m = Self.unitModel(biasMode: .input)
        let v0 = m.v[0, 0]
        var opt = OptimizerState<Double>(kind: .rmsprop, learningRate: 0.01, shapesOf: m)
        opt.apply(Self.gradients(0.5, for: m), to: &m)
        let step1 = -0.01 * 0.5 / (0.05 + 1e-8)
        #expect(abs(m.v[0, 0] - (v0 + step1)) < 1e-15)
        #expect(abs(opt.first[1][0] - 0.0025) < 1e-17)
        opt.apply(Self.gradients(-0.2, for: m), to: &m)
        let step2 = 0.01 * 0.2 / (0.05361902647381804 + 1e-8)
        #expect(abs(opt.first[1][0] - 0.002875) < 1e-17)
        #expect(abs(m.v[0, 0] - (v0 + step1 + step2)) < 1e-15)
        #expect(abs(step1 + 0.09999998) < 1e-9 && abs(step2 - 0.0373001853) < 1e-10)
    }

    /// b moves once per PyTorch bias it stands for: twice for `pair`, once for `input`, never
    /// for `none` (and a bias-free model's b stays exactly 0).
    @Test(arguments: [BiasMode.pair, .input, .none])
    func biasMovesOncePerPyTorchBias(mode: BiasMode) {
        var m = Self.unitModel(biasMode: mode)
        let b0 = m.b[0], u0 = m.u.storage[0]
        var opt = OptimizerState<Double>(kind: .sgd, learningRate: 0.1, shapesOf: m)
        opt.apply(Self.gradients(0.5, for: m), to: &m)
        #expect(abs((m.u.storage[0] - u0) - (-0.05)) < 1e-15)
        #expect(abs((m.b[0] - b0) - Double(mode.multiplicity) * -0.05) < 1e-15)
        if mode == .none { #expect(m.b == [0]) }
    }

    /// The clipping norm counts db once per PyTorch bias: ‖g‖² = Σ (others) + k·‖db‖².
    @Test(arguments: [BiasMode.pair, .input, .none])
    func clippingNormCountsEachBias(mode: BiasMode) {
        let m = Self.unitModel(biasMode: mode)
        var g = Self.gradients(0.5, for: m)
        let entries = m.u.storage.count + 1 + m.w.storage.count + m.c.count  // all but b
        let expected = (0.25 * Double(entries) + 0.25 * Double(mode.multiplicity)).squareRoot()
        #expect(abs(clipGradientNorm(&g, maxNorm: 0, biasMultiplicity: mode.multiplicity) - expected) < 1e-14)
    }

    /// With the summed loss the gradient is B times the mean's, so one plain SGD step with the
    /// sum at lr equals one with the mean at B·lr (B = 4, no clipping); the reported loss is
    /// the batch mean either way. Tolerance 1e-13 (Float64 rounding of O(1) sums).
    @Test func summedLossIsBTimesTheMean() {
        let base = RNNModel<Double>(task: .rowwise, hidden: 6, initialization: .pytorch, seed: 3)
        let batch = SequenceBatch<Double>(bundledTest, indices: [0, 1, 2, 3], task: .rowwise)
        func step(_ reduction: LossReduction, lr: Double) -> (RNNModel<Double>, Double) {
            var m = base
            var opt = OptimizerState<Double>(kind: .sgd, learningRate: lr, shapesOf: m)
            var stepper = TrainingStep<Double>(hidden: 6, inputSize: 28, steps: 28, batchSize: 4)
            let (loss, _) = stepper.run(batch, model: &m, optimizer: &opt, clip: 0, lossReduction: reduction)
            return (m, loss)
        }
        let (summed, lossSum) = step(.sum, lr: 0.01), (meaned, lossMean) = step(.mean, lr: 0.04)
        #expect(lossSum == lossMean)
        #expect(maxAbsDifference(summed.parameterArrays.flatMap { $0 }, meaned.parameterArrays.flatMap { $0 }) < 1e-13)
        #expect(maxAbsDifference(summed.parameterArrays.flatMap { $0 }, base.parameterArrays.flatMap { $0 }) > 1e-4)
    }

    /// Gains scale the Xavier-normal draws and nothing else: V(g) = g·V(1) entry by entry
    /// (relative 1e-15), U likewise, and W, c, b are those of the gain-1 model.
    @Test func gainsScaleTheXavierDraws() {
        let plain = RNNModel<Double>(task: .rowwise, hidden: 16, initialization: .xavierNormal, seed: 5)
        let scaled = RNNModel<Double>(task: .rowwise, hidden: 16, initialization: .xavierNormal, seed: 5,
                                      gains: InitializationGains(recurrent: 0.005, input: 3))
        #expect(maxAbsDifference(scaled.v.storage, plain.v.storage.map { 0.005 * $0 }) < 1e-15 * 0.005 * 4)
        #expect(maxAbsDifference(scaled.u.storage, plain.u.storage.map { 3 * $0 }) < 1e-15 * 3 * 4)
        #expect(scaled.w == plain.w && scaled.c == plain.c && scaled.b == plain.b)
    }

    /// A model saves exactly the biases its mode names and loads back with the same mode and b.
    @Test(arguments: [BiasMode.pair, .input, .none])
    func biasModeRoundTripsThroughSafetensors(mode: BiasMode) throws {
        var m = RNNModel<Double>(task: .rowwise, hidden: 5, initialization: .pytorch, seed: 2, biasMode: mode)
        if mode != .none { m.b = [0.1, -0.2, 0.3, 0, 0.5] }
        let file = m.safeTensors()
        #expect((file.tensors["rnn.bias_ih_l0"] != nil) == (mode != .none))
        #expect((file.tensors["rnn.bias_hh_l0"] != nil) == (mode == .pair))
        let back = try RNNModel<Double>(file: SafeTensorsFile(parsing: file.encoded(), path: "x"), path: "x")
        #expect(back.biasMode == mode && back.b == m.b && back.v == m.v)
        var orphan = file
        orphan.tensors["rnn.bias_ih_l0"] = nil
        orphan.tensors["rnn.bias_hh_l0"] = Tensor(float64: [0, 0, 0, 0, 0], shape: [5])
        #expect(throws: FileFormatError.self) { try RNNModel<Double>(file: orphan, path: "x") }
    }

    /// A checkpoint written before the recipe options existed (its config JSON lacks them)
    /// still decodes, with the defaults.
    @Test func olderConfigDecodesWithDefaults() throws {
        let old = #"{"task":"rowwise","permutationSeed":0,"hidden":12,"epochs":2,"batchSize":32,"learningRate":0.001,"optimizer":"adam","momentum":0,"initialization":"pytorch","clip":1,"seed":9,"logEvery":3,"precision":"f32"}"#
        let c = try JSONDecoder().decode(TrainingConfig.self, from: Data(old.utf8))
        #expect(c.hidden == 12 && c.epochs == 2 && c.bias == .pair && c.lossReduction == .mean && c.gains == InitializationGains())
        var new = c
        new.bias = .none; new.gains.recurrent = 0.005; new.lossReduction = .sum; new.optimizer = .rmsprop
        let again = try JSONDecoder().decode(TrainingConfig.self, from: JSONEncoder().encode(new))
        #expect(again == new)
    }

    /// A short RMSprop run with an input-side bias resumes bit for bit (RMSprop's state is in
    /// the checkpoint).
    @Test func rmspropRunResumesExactly() throws {
        var c = TrainingConfig()
        c.task = .rowwise; c.hidden = 8; c.epochs = 2; c.batchSize = 32; c.trainLimit = 128; c.testLimit = 50
        c.optimizer = .rmsprop; c.learningRate = 2e-3; c.bias = .input; c.initialization = .xavierNormal; c.clip = 0
        let straight = makeTemporaryDirectory("ftle-rms-straight"), split = makeTemporaryDirectory("ftle-rms-split")
        #expect(try Trainer<Float>(config: c, train: bundledTrain, test: bundledTest, outputDirectory: straight).run() == .finished)
        var one = c; one.epochs = 1
        #expect(try Trainer<Float>(config: one, train: bundledTrain, test: bundledTest, outputDirectory: split).run() == .finished)
        let resumed = try Trainer<Float>(resumingIn: split, epochs: 2, logEvery: nil, checkpointEvery: nil, train: bundledTrain, test: bundledTest)
        #expect(resumed.config.optimizer == .rmsprop && resumed.config.bias == .input)
        #expect(try resumed.run() == .finished)
        let a = try RNNModel<Float>.load(from: straight + "/model.safetensors")
        let b = try RNNModel<Float>.load(from: split + "/model.safetensors")
        #expect(a.v == b.v && a.u == b.u && a.b == b.b && a.w == b.w && a.biasMode == .input)
    }
}

func maxAbsDifference(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count)
    return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}

/// Standardized inputs and the validation split.
@Suite struct DataRecipeTests {
    /// x' = (x − 0.1307)/0.3081 on every pixel, the same through the single-image path and the
    /// batched training path, and it survives a save/load (exact: both paths round once).
    @Test func standardizationAppliesToEveryPixelOnBothPaths() throws {
        var m = RNNModel<Double>(task: .permuted(seed: 2), hidden: 4, initialization: .pytorch, seed: 1)
        m.inputStandardization = .mnist
        let image = bundledTest.image(3)
        let seq = m.sequence(ofImage: image)
        let plain = m.task.sequence(image)
        #expect(seq.count == 784)
        #expect(zip(seq, plain).allSatisfy { abs(Double($0) - (Double($1) - 0.1307) / 0.3081) < 1e-6 })
        let batched = SequenceBatch<Double>(bundledTest, indices: [3], task: m.task, standardization: m.inputStandardization)
        let direct = SequenceBatch<Double>(sequences: [seq], labels: [bundledTest.label(3)], steps: 784, inputSize: 1)
        #expect(batched.inputs == direct.inputs)
        let back = try RNNModel<Double>(file: SafeTensorsFile(parsing: m.safeTensors().encoded(), path: "x"), path: "x")
        #expect(back.inputStandardization == .mnist && back.sequence(ofImage: image) == seq)
        var bad = m.safeTensors(); bad.metadata["input_std"] = "0"
        #expect(throws: FileFormatError.self) { try RNNModel<Double>(file: bad, path: "x") }
        bad.metadata["input_std"] = nil
        #expect(throws: FileFormatError.self) { try RNNModel<Double>(file: bad, path: "x") }
    }

    /// The split partitions the images, holds out round(F·N), is a function of (N, F, seed)
    /// only, and with F = 0 trains on every image in order (so old runs are unchanged).
    @Test func validationSplitPartitionsTheImages() {
        let s = TrainingSplit(count: 1000, validationFraction: 0.2, seed: 7)
        #expect(s.validation.count == 200 && s.training.count == 800)
        #expect(Set(s.validation).isDisjoint(with: s.training) && Set(s.validation + s.training) == Set(0..<1000))
        #expect(s == TrainingSplit(count: 1000, validationFraction: 0.2, seed: 7))
        #expect(s != TrainingSplit(count: 1000, validationFraction: 0.2, seed: 8))
        #expect(TrainingSplit(count: 50, validationFraction: 0, seed: 7).training == Array(0..<50))
    }

    /// A run with a validation split never trains on a held-out image: its batches are drawn
    /// from `split.training` only, and it records the split in the model file.
    @Test func heldOutImagesAreRecordedAndNotTrained() throws {
        var c = TrainingConfig()
        c.task = .rowwise; c.hidden = 4; c.epochs = 1; c.batchSize = 16; c.trainLimit = 80; c.testLimit = 20
        c.validationSplit = 0.25; c.standardize = true; c.seed = 3
        let dir = makeTemporaryDirectory("ftle-split")
        let trainer = try Trainer<Double>(config: c, train: bundledTrain, test: bundledTest, outputDirectory: dir)
        #expect(trainer.trainCount == 60 && trainer.batchesPerEpoch == 4 && trainer.split.validation.count == 20)
        #expect(try trainer.run() == .finished)
        let m = try RNNModel<Double>.load(from: dir + "/model.safetensors")
        #expect(m.metadata.extra["validation_split"] == "0.25" && m.metadata.extra["validation_seed"] == "3")
        #expect(m.inputStandardization == .mnist)
    }
}

/// Reading back the split a model records: the recorded one, the default, or an error (never a
/// trap) for unusable values.
@Suite struct RecordedSplitTests {
    @Test func recordedDefaultAndUnusable() throws {
        var meta = ModelMetadata()
        var r = try TrainingSplit.recorded(in: meta, count: 100)
        #expect(!r.isRecorded && r.fraction == 0.2 && r.seed == 0 && r.split.validation.count == 20)
        meta.extra["validation_split"] = "0.25"; meta.extra["validation_seed"] = "7"
        r = try TrainingSplit.recorded(in: meta, count: 100)
        #expect(r.isRecorded && r.split == TrainingSplit(count: 100, validationFraction: 0.25, seed: 7))
        for bad in ["1.5", "0", "nan", "x"] {
            meta.extra["validation_split"] = bad
            #expect(throws: TrainingError.self) { try TrainingSplit.recorded(in: meta, count: 100) }
        }
        meta.extra["validation_split"] = "0.2"; meta.extra["validation_seed"] = "-1"
        #expect(throws: TrainingError.self) { try TrainingSplit.recorded(in: meta, count: 100) }
    }
}
