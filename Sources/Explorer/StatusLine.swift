import TerminalUI

/// The line above the footer: an open prompt, else the last status message, else what
/// the engine is computing.
enum StatusLine {
    static func render(_ state: ExplorerState, into grid: inout Grid, area: Rect) {
        let context = state.context
        grid.fill(area, with: context.backgroundCell)
        let text: String
        let style: Style
        switch state.prompt {
        case let .openModel(typed):
            text = "open model (Enter opens, Esc cancels, Ctrl-U clears): " + typed + "_"
            style = context.style(.accent, .bold)
        case let .moreEpochs(typed):
            text = "training finished: train how many more epochs? It continues the run exactly (Enter trains, Esc cancels): "
                + typed + "_"
            style = context.style(.accent, .bold)
        case .confirmQuit:
            text = "training is running: quit? It pauses and saves a checkpoint first. (y/n)"
            style = context.style(.warning, .bold)
        case nil:
            if let status = state.status {
                text = status.text
                style = context.style(status.isWarning ? .warning : .foreground)
            } else if let spectrum = state.currentSpectrum, !spectrum.isComplete {
                text = "engine: Lyapunov trace \(spectrum.stepsDone)/\(spectrum.totalSteps) steps"
                style = context.style(.dim)
            } else {
                text = ""
                style = context.style(.dim)
            }
        }
        grid.put(line: " " + text, in: area, row: 0, style: style, context: context)
    }
}
