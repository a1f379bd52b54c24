/// A question on the status line that takes the keyboard until answered.
public enum Prompt: Hashable, Sendable {
    /// Typing a model path; Enter opens it, Esc cancels, Ctrl-U clears the line.
    case openModel(text: String)
    /// After a finished run: how many more epochs to train (digits; Enter trains, Esc cancels).
    case moreEpochs(text: String)
    /// Quit while training runs? y quits (pausing and checkpointing first), n/Esc stays.
    case confirmQuit

    /// The prompt with its typed text changed (prompts without text stay as they are).
    func withText(_ change: (String) -> String) -> Prompt {
        switch self {
        case let .openModel(text): .openModel(text: change(text))
        case let .moreEpochs(text): .moreEpochs(text: change(text))
        case .confirmQuit: self
        }
    }
}
