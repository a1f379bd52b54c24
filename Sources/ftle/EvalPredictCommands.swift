import ArgumentParser
import Foundation
import Linalg
import MNIST
import RNN
import TerminalUI

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Test loss and accuracy of a model.")

    @Option(help: "Model file (.safetensors).") var model: String
    @OptionGroup var modelOptions: NonlinearityOption
    @Option(help: "Evaluate on these sequences (.npy, N×T×I) instead of MNIST; needs --labels.") var inputs: String?
    @Option(help: "Integer labels of --inputs (.npy, N values).") var labels: String?
    @Option(parsing: .unconditional, help: "Evaluate on the first N images only.") var limit: Int?
    @Option(help: "Split to evaluate: test or train.") var split: Split = .test
    @Option(help: "Output format: text or json.") var format: TextOrJSON = .text
    @OptionGroup var threadOptions: ThreadOptions
    @OptionGroup var dataOptions: DataOptions

    func validate() throws {
        if let l = limit, l < 1 { throw ValidationError("--limit must be at least 1 (got \(l))") }
        if (inputs == nil) != (labels == nil) { throw ValidationError("--inputs and --labels go together") }
    }

    func run() throws {
        try reportingErrors {
            let network = try loadNetwork(model, nonlinearity: modelOptions.nonlinearity)
            let score = try scorer(network)
            if let inputs, let labels {
                let set = try SequenceSet.load(inputs: inputs, labels: labels, inputSize: network.inputSize)
                try set.checkLabels(classes: network.classes, path: labels)
                let n = min(limit ?? set.count, set.count)
                try report(score.sequences(set, n), count: n, what: "sequences of \(inputs)", json: ["inputs": inputs, "sequences": n],
                           overflow: score.overflowNote)
                return
            }
            guard network.imageTask != nil else {
                throw UsageError("the model has no MNIST task: evaluate it on a set of sequences (--inputs X.npy --labels Y.npy)")
            }
            let ds = try dataOptions.load(split)
            let n = min(limit ?? ds.count, ds.count)
            try report(score.images(ds, n), count: n, what: "\(split.rawValue) images", json: ["split": split.rawValue, "images": n],
                       overflow: score.overflowNote)
        }
    }
}

extension Eval {
    /// How a model is scored: a vanilla model in Float32 (the arithmetic it trains in, batched,
    /// `evaluate`), a GRU or LSTM model in Float64 (the analysis path, one sequence at a time);
    /// the first n sequences or images, on `--threads` workers, summed in order.
    struct Scorer {
        var sequences: (SequenceSet, Int) -> (loss: Double, accuracy: Double)
        var images: (MNISTDataset, Int) -> (loss: Double, accuracy: Double)
        /// What a non-finite loss says of the model.
        var overflowNote: String
    }

    func scorer(_ network: Network) throws -> Scorer {
        let workers = threadOptions.workers()
        if network.vanillaModel != nil {
            let m: RNNModel<Float> = try loadModel(model, nonlinearity: modelOptions.nonlinearity)
            return Scorer(sequences: { set, n in evaluate(m, on: set.subset(Array(0..<n))) },
                          images: { ds, n in evaluate(m, on: ds, limit: n, threads: workers) },
                          overflowNote: " (Float32 arithmetic overflows)")
        }
        if let g = network.gatedNetwork {
            let pool = WorkerPool(workers: workers)
            return Scorer(sequences: { set, n in g.evaluate(count: n, pool: pool) { i in (set.sequence(i), set.steps, set.labels[i]) } },
                          images: { ds, n in
                              g.evaluate(count: n, pool: pool) { i in (g.sequence(ofImage: ds.image(i)).map(Double.init), g.imageTask!.steps, ds.label(i)) }
                          },
                          overflowNote: "")
        }
        // Any other cells: the network itself, as training evaluates it.
        return Scorer(sequences: { set, n in evaluate(network, on: set.subset(Array(0..<n))) },
                      images: { ds, n in evaluate(network, on: ds, limit: n, threads: workers) }, overflowNote: "")
    }

    /// The result in the chosen format; a non-finite loss is an error naming the model.
    func report(_ r: (loss: Double, accuracy: Double), count: Int, what: String, json: [String: Any], overflow: String) throws {
        guard r.loss.isFinite else { throw FileFormatError(path: model, "the loss is NaN or Inf on these \(what)\(overflow)") }
        if format == .json {
            try emit(jsonText(json.merging(["model": model, "loss": r.loss, "accuracy": r.accuracy]) { a, _ in a }), to: nil)
        } else {
            print(String(format: "%@ on %d %@: loss %.4f, accuracy %.2f%%", model, count, what, r.loss, 100 * r.accuracy))
        }
    }
}

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Logits, probabilities, predicted class and loss for one sequence.")

    @Option(help: "Model file (.safetensors).") var model: String
    @OptionGroup var modelOptions: NonlinearityOption
    @OptionGroup var sequenceOptions: SequenceOptions
    @Option(help: "Output format: text or json.") var format: TextOrJSON = .text
    @OptionGroup var dataOptions: DataOptions

    func run() throws {
        try reportingErrors {
            let m = try loadNetwork(model, nonlinearity: modelOptions.nonlinearity)
            let input = try sequenceOptions.resolve(for: m, data: dataOptions)
            // A vanilla model through its batched forward pass (predict's arithmetic since it
            // began: the cells' per-step products round differently in the last bits).
            let logits = m.vanillaModel.map {
                $0.finalLogits(SequenceBatch<Double>(sequences: [input.sequence], labels: [0], steps: input.steps, inputSize: $0.inputSize)).column(0)
            } ?? m.finalLogits(sequence: input.sequence, steps: input.steps)
            guard logits.allSatisfy(\.isFinite) else {
                throw FileFormatError(path: model, "the logits are NaN or Inf for \(input.description) (the weights or the input overflow)")
            }
            let probs = CrossEntropy.softmax(logits)
            let predicted = CrossEntropy.predictedClass(logits) ?? 0
            let loss = input.label.map { CrossEntropy.loss(logits, label: $0) }
            if format == .json {
                var obj: [String: Any] = ["input": input.description, "steps": input.steps, "logits": logits,
                                          "probabilities": probs, "predicted": predicted]
                obj["label"] = input.label ?? NSNull()
                obj["loss"] = loss ?? NSNull()
                try emit(jsonText(obj), to: nil)
            } else {
                print("\(input.description): \(input.steps) steps" + (input.label.map { ", label \($0)" } ?? ""))
                let names = classNames(metadata: m.metadata, classes: m.classes)
                let numeric = names == (0..<m.classes).map(String.init)
                for k in 0..<m.classes {
                    let name = numeric ? String(k) : "\(k) \(names[k])"
                    print(String(format: "  %@  logit %8.4f  p %.4f%@", name, logits[k], probs[k], k == predicted ? "  ← predicted" : ""))
                }
                if let l = loss { print(String(format: "loss %.6f", l)) }
            }
        }
    }
}
