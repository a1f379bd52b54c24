import TerminalUI

/// The line above the footer: an open prompt, else the last status message, else what
/// the engine is computing. A status message longer than the line takes the footer's row
/// too (wrapped at a space) while it shows, rather than being cut with "…".
enum StatusLine {
    /// The text and style the line shows.
    static func content(_ state: ExplorerState) -> (text: String, style: Style) {
        let context = state.context
        switch state.prompt {
        case let .openModel(typed):
            return ("open model (Enter opens, Esc cancels, Ctrl-U clears): " + typed + "_", context.style(.accent, .bold))
        case let .moreEpochs(typed):
            return ("training finished: train how many more epochs? It continues the run exactly (Enter trains, Esc cancels): "
                + typed + "_", context.style(.accent, .bold))
        case .confirmQuit:
            return ("training is running: quit? It pauses and saves a checkpoint first. (y/n)", context.style(.warning, .bold))
        case nil:
            if let status = state.status {
                return (status.text, context.style(status.isWarning ? .warning : .foreground))
            } else if let spectrum = state.currentSpectrum, !spectrum.isComplete {
                return ("engine: Lyapunov trace \(spectrum.stepsDone)/\(spectrum.totalSteps) steps", context.style(.dim))
            }
            return ("", context.style(.dim))
        }
    }

    /// Whether the line needs a second row (the footer's) at `width`: a status message that
    /// does not fit (prompts stay on one row, their typed text at the end).
    static func needsTwoRows(_ state: ExplorerState, width: Int) -> Bool {
        state.prompt == nil && state.status != nil && content(state).text.count + 1 > width
    }

    static func render(_ state: ExplorerState, into grid: inout Grid, area: Rect) {
        let context = state.context
        grid.fill(area, with: context.backgroundCell)
        let (text, style) = content(state)
        guard area.height >= 2, text.count + 1 > area.width else {
            grid.put(line: " " + text, in: area, row: 0, style: style, context: context)
            return
        }
        // Wrap at the last space that fits; the rest on the second row (cut there if need be).
        let words = (" " + text).split(separator: " ", omittingEmptySubsequences: false)
        var first = ""
        var used = 0
        for (index, word) in words.enumerated() {
            let candidate = index == 0 ? String(word) : first + " " + word
            if candidate.count > area.width && index > 1 { break }
            first = candidate
            used = index + 1
        }
        let rest = words.dropFirst(used).joined(separator: " ")
        grid.put(line: first, in: area, row: 0, style: style, context: context)
        grid.put(line: " " + rest, in: area, row: 1, style: style, context: context)
    }
}
