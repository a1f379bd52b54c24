import RNN
import TerminalUI

/// Everything that can change the explorer's state. Keys become ``action(_:)`` through the
/// key table (or prompt input while a prompt is open); the rest come from the terminal,
/// the play timer and the workers. ``ExplorerState/handle(_:)`` is the only place they
/// are applied.
public enum ExplorerEvent: Sendable {
    case action(ExplorerAction)
    case resize(TerminalSize)
    /// A left click at a screen cell.
    case click(x: Int, y: Int)
    /// The play timer fired.
    case tick
    /// A scroll key while the help overlay shows.
    case helpScroll(HelpScroll)
    case promptInput(Character)
    case promptBackspace
    /// Ctrl-U: clear the typed text.
    case promptClearLine
    case promptSubmit
    case promptCancel
    case engine(EngineEvent)
    case training(TrainingUpdate)
    /// A followed run's history changed.
    case followedHistory(TrainingHistory, config: TrainingConfig?, directory: String)
    /// The history stored in the training folder (`--out`): at start-up, with `note` (what
    /// `t` will do with the run), it sets the Training pane's position and history; without,
    /// after `t` resumed the run, it replaces the history by the file as the trainer repaired it.
    case storedHistory(TrainingHistory, config: TrainingConfig?, directory: String, note: String?)
    /// New weights are in place (the app loaded a file or took them from the trainer).
    case modelLoaded(ModelSummary, message: String?)
    case themeLoaded(Theme, warnings: [String])
    /// A one-line message for the status line.
    case status(String, isWarning: Bool)
    /// The app's timer: clears the status line if it still shows `message`.
    case statusExpired(StatusMessage)
}


/// How a key scrolls the help overlay.
public enum HelpScroll: Hashable, Sendable {
    case lineDown, lineUp, pageDown, pageUp, top, bottom
}
