import ArgumentParser
import Foundation
import MNIST
import RNN
import Sweep

/// `ftle data TASK`: a synthetic long-memory classification set (`SyntheticTask`) as
/// DIR/inputs.npy, DIR/labels.npy and DIR/task.json, for `ftle train --inputs --labels`.
struct DataCommand: ParsableCommand {
    enum TaskName: String, ExpressibleByArgument, CaseIterable { case copy, delayedXOR = "delayed-xor", adding }

    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Write a synthetic long-memory classification task (copy, delayed-xor, adding) as .npy for train --inputs.",
        discussion: """
        Writes N sequences of T steps to DIR/inputs.npy (N×T×I, '<f4'), their classes to \
        DIR/labels.npy (N, '<i8') and what was drawn to DIR/task.json (name, steps, count, seed, \
        input_size, classes, parameters, definition, the command); train on them with \
        ftle train --inputs DIR/inputs.npy --labels DIR/labels.npy. The class is read at the last \
        step, t = T; steps are numbered 1…T. Every draw comes from one generator seeded with \
        --seed, sequence after sequence, so a seed gives byte-identical files. Each file is written \
        atomically; a folder holding any of the three is refused unless --force. N·T·I is at \
        most 2^31.


        """ + TaskName.allCases.map { SyntheticTask.definition(of: $0.rawValue) }.joined(separator: "\n\n"))

    @Argument(help: "The task: copy, delayed-xor or adding (each defined above).") var task: TaskName
    @Option(parsing: .unconditional, help: "Steps T per sequence (at least 2).") var steps: Int
    @Option(parsing: .unconditional, help: "Number of sequences N (at least 1).") var count: Int
    @Option(help: "Folder to write inputs.npy, labels.npy and task.json to (created if missing).") var out: String
    @Option(parsing: .unconditional, help: "Seed of every draw.") var seed: UInt64 = 0
    @Flag(help: "Replace the files of a set already in --out.") var force = false
    @Option(parsing: .unconditional, help: "delayed-xor: the second bit is x_{T−D} (0…T−2; default 0, the last step's).") var delay: Int?
    @Option(parsing: .unconditional, help: "copy: alphabet size K, the classes (2…256; default 8).") var symbols: Int?
    @Option(parsing: .unconditional, help: "copy: pattern length L, symbols at steps 1…L (1…T−1; default 1).") var length: Int?

    /// The task with its parameters (defaults filled in).
    var syntheticTask: SyntheticTask {
        switch task {
        case .copy: .copy(symbols: symbols ?? 8, length: length ?? 1)
        case .delayedXOR: .delayedXOR(delay: delay ?? 0)
        case .adding: .adding
        }
    }

    func validate() throws {
        if steps < 2 { throw ValidationError("--steps must be at least 2 (got \(steps))") }
        if count < 1 { throw ValidationError("--count must be at least 1 (got \(count))") }
        if out.isEmpty { throw ValidationError("--out must name a folder (got an empty path)") }
        for (flag, value, owner) in [("--delay", delay, TaskName.delayedXOR), ("--symbols", symbols, .copy), ("--length", length, .copy)]
        where value != nil && task != owner {
            throw ValidationError("\(flag) applies to \(owner.rawValue), not \(task.rawValue)")
        }
        let t = syntheticTask
        if let problem = t.problem(steps: steps) { throw ValidationError(problem) }
        if let problem = SyntheticTaskFiles.sizeProblem(count: count, steps: steps, inputSize: t.inputSize) {
            throw ValidationError(problem)
        }
    }

    /// The command that writes this set again (every parameter explicit), for task.json.
    var reproducingCommand: String {
        let t = syntheticTask
        let parameters = t.parameters.sorted { $0.key < $1.key }.map { " --\($0.key) \($0.value)" }.joined()
        return "ftle data \(t.name) --steps \(steps) --count \(count) --seed \(seed)\(parameters) --out \(shellQuoted(out))"
    }

    func run() throws {
        try reportingErrors {
            PendingTemporaryFiles.removeOnTerminatingSignals()
            let t = syntheticTask
            let paths = try SyntheticTaskFiles.write(t, count: count, steps: steps, seed: seed, folder: out,
                                                     replacing: force, command: reproducingCommand)
            let parameters = t.parameters.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
            print("\(t.name): \(count) sequences, T=\(steps) I=\(t.inputSize) C=\(t.classes)\(parameters) seed=\(seed): "
                  + "\(displayPath(paths.inputs)) ('\(SyntheticTaskFiles.inputsDescriptor)', \(count)×\(steps)×\(t.inputSize)), "
                  + "\(displayPath(paths.labels)) ('\(SyntheticTaskFiles.labelsDescriptor)', \(count)), \(displayPath(paths.task))")
        }
    }
}
