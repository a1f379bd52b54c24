/// A question on the status line that takes the keyboard until answered.
public enum Prompt: Hashable, Sendable {
    /// Typing a model path; Enter opens it, Esc cancels, Ctrl-U clears the line.
    case openModel(text: String)
    /// Quit while training runs? y quits (pausing and checkpointing first), n/Esc stays.
    case confirmQuit
}
