import Foundation

extension ExplorerState {
    /// The most epochs one `t` after a finished run adds.
    static let moreEpochsLimit = 1000

    /// Keys typed while a prompt is open: text for the path and epoch prompts (digits only
    /// for epochs), y/n for the quit question, Enter, Esc, Backspace and Ctrl-U.
    mutating func handlePrompt(_ event: ExplorerEvent) -> [ExplorerEffect] {
        switch event {
        case let .promptInput(character):
            switch prompt {
            case let .openModel(text): prompt = .openModel(text: text + String(character))
            case let .moreEpochs(text) where character.isASCII && character.isNumber && text.count < 4:
                prompt = .moreEpochs(text: text + String(character))
            case .confirmQuit where character == "y" || character == "Y": return confirmQuit()
            case .confirmQuit where character == "n" || character == "N": return handlePrompt(.promptCancel)
            default: break
            }
        case .promptBackspace:
            prompt = prompt?.withText { String($0.dropLast()) }
        case .promptClearLine:
            prompt = prompt?.withText { _ in "" }
        case .promptSubmit:
            return submitPrompt()
        case .promptCancel:
            switch prompt {
            case .openModel: status = StatusMessage("open model cancelled")
            case .moreEpochs: status = StatusMessage("training stays finished")
            case .confirmQuit: status = StatusMessage("quit cancelled; training goes on")
            case nil: break
            }
            prompt = nil
        default:
            break
        }
        return []
    }

    private mutating func submitPrompt() -> [ExplorerEffect] {
        switch prompt {
        case let .openModel(text):
            prompt = nil
            let path = text.trimmingCharacters(in: .whitespaces)
            return path.isEmpty ? [] : [.openModel(path: path)]
        case let .moreEpochs(text):
            prompt = nil
            guard let epochs = Int(text), (1...Self.moreEpochsLimit).contains(epochs) else {
                status = StatusMessage("more epochs: give a whole number from 1 to \(Self.moreEpochsLimit)", isWarning: true)
                return []
            }
            training.phase = .starting
            status = StatusMessage("training \(epochs) more epoch\(epochs == 1 ? "" : "s")...")
            return [.trainMore(epochs: epochs)]
        case .confirmQuit:
            return confirmQuit()
        case nil:
            return []
        }
    }
}
