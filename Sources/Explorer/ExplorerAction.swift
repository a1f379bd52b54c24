/// Everything a key can ask the explorer to do. Each action is bound to keys in
/// ``ExplorerKeys/table``, which also drives the footer hints and the help overlay.
public enum ExplorerAction: Hashable, Sendable, CaseIterable {
    case quit
    case toggleHelp
    /// t − 1 / t + 1 (t counts presented steps, 1…T).
    case stepBackward, stepForward
    /// t − 10 / t + 10.
    case jumpBackward, jumpForward
    /// t = 1 / t = T.
    case firstStep, lastStep
    /// Advance t on a timer until T.
    case togglePlay
    case previousImage, nextImage
    /// Flip the top-k R-ranked dark pixels up (to 1) / lit pixels down (to 0).
    case toggleUpFlips, toggleDownFlips
    /// Sequences: ablate the top-k steps with x_t ← 0, then with x_t ← the set mean, then not.
    case cycleAblation
    /// Show the gate pane or the alignment pane in the alignment pane's place.
    case toggleGatePane
    /// A new seed for the random-flip baseline.
    case newRandomBaseline
    /// k, the number of flipped pixels.
    case increaseFlipCount, decreaseFlipCount
    /// Scroll the λ_k(t) bars.
    case scrollSpectrumLeft, scrollSpectrumRight
    /// Signed cosines or their absolute values in the alignment heatmap.
    case toggleAlignmentScale
    /// The alignment heatmap or Figure 2's spread-by-Q-index curve.
    case toggleAlignmentView
    /// The alignment pane's vectors: Q vectors or covariant Lyapunov vectors (computed in the background).
    case toggleAlignmentBasis
    /// Logits p(o_T) or p(o_t) at the cursor.
    case toggleLogitsView
    /// Propagate the frame with D_t or with D_tᵀ (the paper's code); restarts the analysis.
    case toggleJacobian
    /// Start, pause or resume background training of the loaded model.
    case toggleTraining
    case saveCheckpoint
    /// Load the newest weights of the training run into the analysis panes.
    case reloadWeights
    /// Ask for a model path to open.
    case openModel
    case nextTheme
    case focusNextPane
    case toggleZoom
    /// Write the screen (ANSI) and the panes' data (JSON) into the current folder.
    case export
}
