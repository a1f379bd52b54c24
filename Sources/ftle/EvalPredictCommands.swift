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
            let workers = threadOptions.workers()
            if case let .gated(g) = try loadNetwork(model, nonlinearity: modelOptions.nonlinearity) {
                try evaluateGated(g, workers: workers)
                return
            }
            let m: RNNModel<Float> = try loadModel(model, nonlinearity: modelOptions.nonlinearity)
            if let inputs, let labels {
                let all = try SequenceSet.load(inputs: inputs, labels: labels, inputSize: m.inputSize)
                try all.checkLabels(classes: m.classes, path: labels)
                let set = limit.map { all.subset(Array(0..<min($0, all.count))) } ?? all
                let r = evaluate(m, on: set)
                if format == .json {
                    try emit(jsonText(["model": model, "inputs": inputs, "sequences": set.count, "loss": r.loss, "accuracy": r.accuracy]), to: nil)
                } else {
                    print(String(format: "%@ on %d sequences of %@: loss %.4f, accuracy %.2f%%", model, set.count, inputs, r.loss, 100 * r.accuracy))
                }
                return
            }
            guard m.imageTask != nil else { throw UsageError("the model has no MNIST task: evaluate it on a set of sequences (--inputs X.npy --labels Y.npy)") }
            let ds = try dataOptions.load(split)
            let n = min(limit ?? ds.count, ds.count)
            let r = evaluate(m, on: ds, limit: n, threads: workers)
            guard r.loss.isFinite else {
                throw FileFormatError(path: model, "the loss is NaN or Inf on these images (the weights overflow in Float32 arithmetic)")
            }
            if format == .json {
                try emit(jsonText(["model": model, "split": split.rawValue, "images": n, "loss": r.loss, "accuracy": r.accuracy]), to: nil)
            } else {
                print(String(format: "%@ on %d %@ images: loss %.4f, accuracy %.2f%%", model, n, split.rawValue, r.loss, 100 * r.accuracy))
            }
        }
    }
}

extension Eval {
    /// A GRU or LSTM model, in Float64 (the analysis path; images on `workers` threads): the
    /// same report as a vanilla model's.
    func evaluateGated(_ g: GatedNetwork, workers: Int) throws {
        let pool = WorkerPool(workers: workers)
        func report(_ r: (loss: Double, accuracy: Double), count: Int, what: String, json: [String: Any]) throws {
            guard r.loss.isFinite else { throw FileFormatError(path: model, "the loss is NaN or Inf on these \(what)") }
            if format == .json {
                try emit(jsonText(json.merging(["model": model, "loss": r.loss, "accuracy": r.accuracy]) { a, _ in a }), to: nil)
            } else {
                print(String(format: "%@ on %d %@: loss %.4f, accuracy %.2f%%", model, count, what, r.loss, 100 * r.accuracy))
            }
        }
        if let inputs, let labels {
            let all = try SequenceSet.load(inputs: inputs, labels: labels, inputSize: g.inputSize)
            try all.checkLabels(classes: g.classes, path: labels)
            let n = min(limit ?? all.count, all.count)
            let r = g.evaluate(count: n, pool: pool) { i in (all.sequence(i), all.steps, all.labels[i]) }
            try report(r, count: n, what: "sequences of \(inputs)", json: ["inputs": inputs, "sequences": n])
            return
        }
        guard let task = g.imageTask else { throw UsageError("the model has no MNIST task: evaluate it on a set of sequences (--inputs X.npy --labels Y.npy)") }
        let ds = try dataOptions.load(split)
        let n = min(limit ?? ds.count, ds.count)
        let r = g.evaluate(count: n, pool: pool) { i in (g.sequence(ofImage: ds.image(i)).map(Double.init), task.steps, ds.label(i)) }
        try report(r, count: n, what: "\(split.rawValue) images", json: ["split": split.rawValue, "images": n])
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
            let logits = m.finalLogits(sequence: input.sequence, steps: input.steps)
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
