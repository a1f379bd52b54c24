import Lyapunov
import TerminalUI

/// The top line: t / T, image (or sequence), label, model file, task (or I and C), the cell
/// and layer widths, N for a stack, K, and whether playing (most important first, since a
/// narrow screen cuts the end). When the line does not fit `width`, the model file name goes
/// first, so H, K and the Jacobian convention stay visible at 80 columns.
enum HeaderBar {
    static func text(_ state: ExplorerState, width: Int = .max) -> String {
        let context = state.context
        let model = state.model
        var input = "\(state.dataset.split.rawValue) #\(state.imageIndex)", label = "label \(state.label)"
        var task = model.task?.name ?? ""
        if let sequences = state.sequences {
            input = sequences.isSet ? "\(sequences.fileName) #\(state.imageIndex)" : sequences.fileName
            label = state.knownLabel.map { "label \($0)" } ?? "no label"
            task = "I \(model.inputSize) C \(model.classes)"
        }
        var fields = ["ftle", "t \(state.t)/\(state.steps)", input, label, model.fileName, task,
                      model.shapeText + (model.layerSizes.count > 1 ? context.separator + "N \(model.stateSize)" : ""),
                      "K \(state.directions)",
                      state.jacobian == .forward ? "D" : context.text("Dᵀ", ascii: "D^T")]
        if state.isPlaying { fields.append(context.text("▶ playing", ascii: "> playing")) }
        let full = fields.joined(separator: context.separator)
        guard full.count > width else { return full }
        fields.remove(at: 4)
        return fields.joined(separator: context.separator)
    }

    static func render(_ state: ExplorerState, into grid: inout Grid, area: Rect) {
        let context = state.context
        grid.fill(area, with: context.backgroundCell)
        grid.put(line: " " + text(state, width: area.width - 1), in: area, row: 0, style: context.style(.title, .bold), context: context)
    }
}
