import Linalg
import RNN

/// What the training worker reports to the UI thread.
public enum TrainingUpdate: Sendable {
    /// The trainer is built: its folder, total epochs and batches per epoch.
    case started(directory: String, epochs: Int, batchesPerEpoch: Int, resumed: Bool)
    case progress(TrainingProgress)
    case epochEnd(epoch: Int, testLoss: Double, testAccuracy: Double)
    case checkpoint(path: String, step: Int)
    /// The newest weights (sent when asked for with ``TrainingWorker/requestWeights()``).
    case weights(Network)
    case paused(step: Int)
    case finished
    case failed(String)
}
