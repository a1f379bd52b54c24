/// The explorer's panes, in focus order (Tab moves to the next).
public enum Pane: String, Hashable, Sendable, CaseIterable {
    case digit, spectrum, alignment, logits, rTrace, training

    /// The title drawn in the pane's border.
    public var title: String {
        switch self {
        case .digit: "Digit"
        case .spectrum: "FTLE spectrum"
        case .alignment: "Alignment"
        case .logits: "Logits"
        case .rTrace: "R trace"
        case .training: "Training"
        }
    }

    /// The pane after this one, wrapping around.
    public var next: Pane {
        let all = Pane.allCases
        return all[(all.firstIndex(of: self)! + 1) % all.count]
    }
}
