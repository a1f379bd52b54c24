import Foundation
import MNIST
import RNN

/// Watches a training run folder written by another process (`ftle train --out DIR`):
/// `history.csv` (re-read when its size or date changes), `checkpoint.safetensors` (for
/// the run's `TrainingConfig`) and `model.safetensors` (reported when its date changes,
/// so the panes reload it). Polled from the UI loop; each poll is a few `stat` calls.
public final class RunFollower {
    public enum Change: Sendable {
        case history(TrainingHistory, config: TrainingConfig?)
        case model(path: String)
        /// Something the user must know (the folder is gone, the history is no history):
        /// reported once each time it starts being true.
        case problem(String)
    }

    public let directory: String
    private var historySignature: [Double]?
    private var checkpointDate: Date?
    private var modelDate: Date?
    private var config: TrainingConfig?
    private var lastProblem: String?

    /// The model file's current date counts as seen: only later changes are reported.
    public init(directory: String) {
        self.directory = directory
        modelDate = Self.modificationDate(directory + "/" + RunFiles.model)
    }

    public var modelPath: String { directory + "/" + RunFiles.model }

    /// What changed since the last poll (the history and config on the first).
    public func poll() -> [Change] {
        var problem: String?
        var changes = scan(problem: &problem)
        // Appended here, not in a `defer` of `scan`: a defer runs after the returned array is
        // taken, so a problem appended there was never reported.
        if let problem, problem != lastProblem { changes.append(.problem(problem)) }
        lastProblem = problem
        return changes
    }

    /// The changes since the last poll; `problem` is set to what the user must know, if anything.
    private func scan(problem: inout String?) -> [Change] {
        var changes: [Change] = []
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            problem = "following \(displayPath(directory)): the folder no longer exists; what is shown is its last state"
            return changes
        }
        let checkpointPath = directory + "/" + RunFiles.checkpoint
        if let date = Self.modificationDate(checkpointPath), date != checkpointDate {
            checkpointDate = date
            if let file = try? SafeTensorsFile(contentsOf: checkpointPath), let json = file.metadata["training_config"] {
                config = try? JSONDecoder().decode(TrainingConfig.self, from: Data(json.utf8))
            }
        }
        let historyPath = directory + "/" + RunFiles.history
        if let attributes = try? FileManager.default.attributesOfItem(atPath: historyPath),
           attributes[.type] as? FileAttributeType != .typeRegular {
            // A FIFO or device would block the reader (or never end): not read.
            problem = "following \(displayPath(directory)): \(RunFiles.history) is not a regular file; the history is not shown"
        } else if let attributes = try? FileManager.default.attributesOfItem(atPath: historyPath) {
            let size = (attributes[.size] as? NSNumber)?.doubleValue ?? 0
            let date = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            let signature = [size, date]
            if signature != historySignature, let text = try? String(contentsOfFile: historyPath, encoding: .utf8) {
                historySignature = signature
                let history = TrainingHistory(csv: text)
                if history.rows.isEmpty && !text.isEmpty && !text.hasPrefix(RunFiles.historyHeader) {
                    problem = "following \(displayPath(directory)): \(RunFiles.history) holds no training history rows"
                }
                changes.append(.history(history, config: config))
            } else if signature == historySignature, let kept = lastProblem, kept.hasSuffix("holds no training history rows") {
                problem = kept
            }
        }
        if let date = Self.modificationDate(modelPath), date != modelDate {
            modelDate = date
            changes.append(.model(path: modelPath))
        }
        return changes
    }

    private static func modificationDate(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }
}
