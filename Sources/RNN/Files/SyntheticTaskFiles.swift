import Foundation
import Linalg
import MNIST

/// The files of a synthetic task (`ftle data`): FOLDER/inputs.npy (N×T×I, '<f4'),
/// FOLDER/labels.npy (N, '<i8') and FOLDER/task.json (what was drawn and how). The arrays are
/// streamed a chunk of sequences at a time, so memory stays small whatever N; each file is
/// written atomically (temporary file, rename), inputs first, task.json last.
public enum SyntheticTaskFiles {
    public static let inputsDescriptor = "<f4"
    public static let labelsDescriptor = "<i8"
    /// The most values (N·T·I) a set may hold: 2^31, 8 GiB of '<f4'.
    public static let maximumValues = 1 << 31

    /// Why N × T × I values are too many (more than `maximumValues`, or beyond Int), or nil.
    public static func sizeProblem(count: Int, steps: Int, inputSize: Int) -> String? {
        let sizes = "N × T × I = \(count) × \(steps) × \(inputSize)"
        let (nt, o1) = count.multipliedReportingOverflow(by: steps)
        let (total, o2) = nt.multipliedReportingOverflow(by: inputSize)
        if o1 || o2 { return "\(sizes) values (beyond 2^63) is more than the limit of 2^31 = \(maximumValues)" }
        if total > maximumValues { return "\(sizes) = \(total) values is more than the limit of 2^31 = \(maximumValues)" }
        return nil
    }

    /// The three paths of a set in `folder`.
    public struct Paths: Sendable, Equatable {
        public let inputs: String, labels: String, task: String
        public init(folder: String) {
            var f = folder
            while f.count > 1 && f.hasSuffix("/") { f.removeLast() }
            let prefix = f == "/" ? "/" : f + "/"
            inputs = prefix + "inputs.npy"; labels = prefix + "labels.npy"; task = prefix + "task.json"
        }
        public var all: [String] { [inputs, labels, task] }
    }

    /// Writes `count` sequences of `task` (T = `steps`, drawn from `SeededRandom(seed:)` as
    /// `SyntheticTask.generate` draws them) into `folder`, creating it if missing. Refuses a
    /// folder that holds any of the three files unless `replacing`. `command` is recorded in
    /// task.json. The caller has checked the task against `steps` and the size.
    @discardableResult
    public static func write(_ task: SyntheticTask, count: Int, steps: Int, seed: UInt64, folder: String,
                             replacing: Bool, command: String) throws -> Paths {
        try ensureWritableDirectory(folder)
        let paths = Paths(folder: folder)
        if !replacing, let existing = paths.all.first(where: { FileManager.default.fileExists(atPath: $0) }) {
            throw OutputFileError(path: existing, reason: "it exists already (replace the set with --force)")
        }
        let inputs = try AtomicFileWriter(paths.inputs), labels = try AtomicFileWriter(paths.labels)
        let i = task.inputSize
        try inputs.write(NPYArray.encodedHeader(shape: [count, steps, i], descriptor: inputsDescriptor))
        try labels.write(NPYArray.encodedHeader(shape: [count], descriptor: labelsDescriptor))
        var rng = SeededRandom(seed: seed)
        let perChunk = max(1, (1 << 20) / (steps * i))
        var done = 0
        while done < count {
            let n = min(perChunk, count - done)
            var values: [Double] = [], classes: [Double] = []
            values.reserveCapacity(n * steps * i)
            for _ in 0..<n {
                let s = task.sequence(steps: steps, using: &rng)
                values += s.values
                classes.append(Double(s.label))
            }
            var x: [UInt8] = [], y: [UInt8] = []
            NPYArray.appendEncoded(values, descriptor: inputsDescriptor, to: &x)
            NPYArray.appendEncoded(classes, descriptor: labelsDescriptor, to: &y)
            try inputs.write(x)
            try labels.write(y)
            done += n
        }
        try inputs.commit()
        try labels.commit()
        let record: [String: Any] = [
            "name": task.name, "steps": steps, "count": count, "seed": NSNumber(value: seed),
            "input_size": i, "classes": task.classes, "parameters": task.parameters, "definition": task.definition,
            "inputs": ["file": "inputs.npy", "dtype": inputsDescriptor, "shape": [count, steps, i]],
            "labels": ["file": "labels.npy", "dtype": labelsDescriptor, "shape": [count]],
            "command": command,
        ]
        try writeFileAtomically(paths.task, text: JSONText.encode(record))
        return paths
    }
}
