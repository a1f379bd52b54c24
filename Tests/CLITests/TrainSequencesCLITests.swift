import Foundation
import RNN
import TestSupport
import Testing

/// `ftle train --inputs`: a run in its folder with checkpoints and `--resume` (the checkpoint
/// names the files), continuing bit for bit; `--layers 2` writes a stacked model.
@Suite(.enabled(if: CLI.available, "the ftle binary is not built"), .serialized)
struct TrainSequencesCLITests {
    @Test func sequenceSetRunResumesBitForBit() throws {
        let d = temporaryFolder("train-seq")
        func write(_ name: String, _ a: NPYArray) throws { try Data(a.encoded(float32: true)).write(to: URL(fileURLWithPath: d + "/" + name)) }
        try write("x.npy", NPYArray(shape: [50, 5, 3], values: (0..<750).map { cos(0.7 * Double($0)) }))
        try write("y.npy", NPYArray(shape: [50], values: (0..<50).map { Double($0 % 4) }))
        let common = ["train", "--inputs", d + "/x.npy", "--labels", d + "/y.npy", "--hidden", "6", "--layers", "2", "--batch", "8",
                      "--lr", "0.01", "--checkpoint-every", "2"]
        let straight = try CLI.run(common + ["--epochs", "3", "--out", d + "/straight"])
        #expect(straight.status == 0, "\(straight.stderr)")
        #expect(straight.stdout.contains("45 sequences (test 5), T=5 I=3 C=4 H=6 tanh"))
        #expect(straight.stdout.contains("checkpoint step 2: "))
        // Epoch 1 is always the best so far: its line follows the epoch's own, on a line of its own.
        let lines = straight.stdout.split(separator: "\n").map(String.init)
        let epochOne = try #require(lines.firstIndex { $0.hasPrefix("epoch 1 done: test loss ") })
        #expect(lines[epochOne + 1].hasPrefix("best so far: \(d)/straight/best.safetensors (epoch 1, test accuracy "))
        #expect(FileManager.default.fileExists(atPath: d + "/straight/best.safetensors"))
        let first = try CLI.run(common + ["--epochs", "1", "--out", d + "/split"])
        #expect(first.status == 0, "\(first.stderr)")
        let resumed = try CLI.run(["train", "--resume", "--epochs", "3", "--out", d + "/split"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("starting at epoch 2 batch 1"))
        let a = try SafeTensorsFile(contentsOf: d + "/straight/model.safetensors")
        let b = try SafeTensorsFile(contentsOf: d + "/split/model.safetensors")
        #expect(a.tensors.keys.sorted() == b.tensors.keys.sorted() && a.tensors["rnn.weight_hh_l1"] != nil)
        for (name, t) in a.tensors { #expect(t == b.tensors[name], "\(name) differs") }
        let m = try RNNModel<Float>.load(from: d + "/split/model.safetensors")
        #expect(m.layerCount == 2 && m.inputSize == 3 && m.classes == 4 && m.metadata.epochsTrained == 3)
    }

    /// A sequence model with MNIST's shapes (I = 28, C = 10) records `task` "none", so it is
    /// never read as a row-wise MNIST model: `--image` is refused (it was taken as an image
    /// of the row-wise task before, exit 0).
    @Test func sequenceModelOfMNISTShapesIsNotAnMNISTModel() throws {
        let d = temporaryFolder("train-seq-mnist-shapes")
        func write(_ name: String, _ a: NPYArray) throws { try Data(a.encoded(float32: true)).write(to: URL(fileURLWithPath: d + "/" + name)) }
        try write("x.npy", NPYArray(shape: [20, 4, 28], values: (0..<2240).map { sin(0.3 * Double($0)) }))
        try write("y.npy", NPYArray(shape: [20], values: (0..<20).map { Double($0 % 10) }))
        let run = try CLI.run(["train", "--inputs", d + "/x.npy", "--labels", d + "/y.npy", "--hidden", "4", "--batch", "6",
                               "--epochs", "1", "--out", d + "/run"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try SafeTensorsFile(contentsOf: d + "/run/model.safetensors").metadata["task"] == "none")
        let predict = try CLI.run(["predict", "--model", d + "/run/model.safetensors", "--image", "0"])
        #expect(predict.status == 1)
        #expect(predict.stderr == "ftle: --image needs a model of an MNIST task (rowwise, pixelwise or permuted); this model has none: give --input X.npy\n")
        try write("one.npy", NPYArray(shape: [4, 28], values: (0..<112).map { sin(0.3 * Double($0)) }))
        let onSequence = try CLI.run(["predict", "--model", d + "/run/model.safetensors", "--input", d + "/one.npy"])
        #expect(onSequence.status == 0, "\(onSequence.stderr)")
    }

    /// SIGTERM in the middle of a sequence-set run: the batch finishes, a checkpoint is saved,
    /// exit 130; `--resume` (reading the recorded files) ends with the weights of a straight run.
    @Test func sigtermSavesACheckpointAndResumeFinishesTheRun() throws {
        let d = temporaryFolder("train-seq-signal")
        func write(_ name: String, _ a: NPYArray) throws { try Data(a.encoded(float32: true)).write(to: URL(fileURLWithPath: d + "/" + name)) }
        try write("x.npy", NPYArray(shape: [4000, 50, 3], values: (0..<600_000).map { sin(0.37 * Double($0)) }))
        try write("y.npy", NPYArray(shape: [4000], values: (0..<4000).map { Double(($0 * 7) % 5) }))
        let args = ["--inputs", d + "/x.npy", "--labels", d + "/y.npy", "--hidden", "64", "--batch", "16", "--epochs", "4",
                    "--threads", "2", "--log-every", "1"]
        let straight = try CLI.run(["train"] + args + ["--out", d + "/straight"])
        #expect(straight.status == 0, "\(straight.stderr)")
        let run = try SignalTests.Training(out: d + "/stopped", resume: false, arguments: args)
        while run.lines < 20 && run.isRunning { usleep(2_000) }
        run.signal(SIGTERM)
        #expect(run.wait() == 130)
        #expect(FileManager.default.fileExists(atPath: d + "/stopped/checkpoint.safetensors"))
        let stoppedAt = try RunFolder(d + "/stopped").readCheckpoint(of: RNNModel<Float>.self).optimizer.step
        #expect(stoppedAt >= 1 && stoppedAt < 4 * 225, "stopped at step \(stoppedAt)")
        #expect(try SignalTests.Training(out: d + "/stopped", resume: true).wait() == 0)
        let a = try SignalTests.tensors(d + "/straight/model.safetensors"), b = try SignalTests.tensors(d + "/stopped/model.safetensors")
        #expect(a == b)
    }

    /// A stacked MNIST run (`--layers 2`) started again from its own initial.safetensors
    /// (`--init-from`, which takes L from the model) reproduces it bit for bit.
    @Test func stackedRunFromItsInitialModelIsReproduced() throws {
        let d = temporaryFolder("train-stacked")
        let common = ["--task", "rowwise", "--hidden", "8", "--train-limit", "256", "--batch", "32", "--epochs", "1", "--test-limit", "50"]
        let a = try CLI.run(["train"] + common + ["--layers", "2", "--out", d + "/a"])
        #expect(a.status == 0, "\(a.stderr)")
        #expect(a.stdout.contains("H=8 L=2 batch=32"))
        let b = try CLI.run(["train"] + common + ["--init-from", d + "/a/initial.safetensors", "--out", d + "/b"])
        #expect(b.status == 0, "\(b.stderr)")
        let ta = try SignalTests.tensors(d + "/a/model.safetensors"), tb = try SignalTests.tensors(d + "/b/model.safetensors")
        #expect(ta == tb && ta["rnn.weight_ih_l1"] != nil)
        #expect(ta != (try SignalTests.tensors(d + "/a/initial.safetensors")))
    }
}
