import Foundation
import RNN

/// Watches a training run folder written by another process (`ftle train --out DIR`):
/// `history.csv` (re-read when its size or date changes), `checkpoint.safetensors` (for
/// the run's `TrainingConfig`) and `model.safetensors` (reported when its date changes,
/// so the panes reload it). Polled from the UI loop; each poll is a few `stat` calls.
public final class RunFollower {
    public enum Change: Sendable {
        case history(TrainingHistory, config: TrainingConfig?)
        case model(path: String)
    }

    public let directory: String
    private var historySignature: [Double]?
    private var checkpointDate: Date?
    private var modelDate: Date?
    private var config: TrainingConfig?

    /// The model file's current date counts as seen: only later changes are reported.
    public init(directory: String) {
        self.directory = directory
        modelDate = Self.modificationDate(directory + "/" + RunFiles.model)
    }

    public var modelPath: String { directory + "/" + RunFiles.model }

    /// What changed since the last poll (the history and config on the first).
    public func poll() -> [Change] {
        var changes: [Change] = []
        let checkpointPath = directory + "/" + RunFiles.checkpoint
        if let date = Self.modificationDate(checkpointPath), date != checkpointDate {
            checkpointDate = date
            if let file = try? SafeTensorsFile(contentsOf: checkpointPath), let json = file.metadata["training_config"] {
                config = try? JSONDecoder().decode(TrainingConfig.self, from: Data(json.utf8))
            }
        }
        let historyPath = directory + "/" + RunFiles.history
        if let attributes = try? FileManager.default.attributesOfItem(atPath: historyPath) {
            let size = (attributes[.size] as? NSNumber)?.doubleValue ?? 0
            let date = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            let signature = [size, date]
            if signature != historySignature, let text = try? String(contentsOfFile: historyPath, encoding: .utf8) {
                historySignature = signature
                changes.append(.history(TrainingHistory(csv: text), config: config))
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
