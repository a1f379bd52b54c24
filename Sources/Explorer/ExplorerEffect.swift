/// Work the app must do after an event: the state says what, the app (which owns the
/// terminal, the model weights, the workers and the file system) does it.
public enum ExplorerEffect: Hashable, Sendable {
    /// Start a new analysis (model or image changed): trace, flips and alignment.
    case analyze
    /// Flip settings changed: recompute flips and logits.
    case requestFlips
    /// t changed: recompute the alignment at t.
    case requestAlignment
    case loadTheme(String)
    case startTraining
    case pauseTraining
    /// Continue the finished run in the training folder for this many more epochs.
    case trainMore(epochs: Int)
    case saveCheckpoint
    case reloadWeights
    case openModel(path: String)
    case export
    case quit
}
