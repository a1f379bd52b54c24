/// How the alignment heatmap shows cosines.
public enum AlignmentScale: String, Hashable, Sendable {
    /// Cosines in −1…1 on the diverging scale.
    case signed
    /// |cosine| in 0…1.
    case absolute

    public var toggled: AlignmentScale { self == .signed ? .absolute : .signed }
}

/// What the alignment pane shows.
public enum AlignmentView: String, Hashable, Sendable {
    /// The cosine matrix as a half-block heatmap.
    case heatmap
    /// Figure 2's curve for this image at t: for each Q index i, the spread (population
    /// standard deviation) of q_i · e_j over the first five and over the last five
    /// singular vectors e_j of ΔV_t, with the random-direction level 1/√H.
    case spreadByIndex

    public var toggled: AlignmentView { self == .heatmap ? .spreadByIndex : .heatmap }
}

/// Which tangent vectors the alignment pane compares with ΔV_t's singular vectors.
public enum AlignmentBasis: String, Hashable, Sendable {
    /// The Q vectors q_k(t) (the first K columns of the trace's frame), at every step.
    case q
    /// The leading K covariant Lyapunov vectors v_k(t) = Q_t c_k(t) (Ginelli's method, as
    /// `ftle clv`), at steps W+1…T−W only (W = T/4).
    case clv

    public var toggled: AlignmentBasis { self == .q ? .clv : .q }
}

/// What the logits pane shows.
public enum LogitsView: String, Hashable, Sendable {
    /// p(o_T), the prediction after the whole sequence.
    case final
    /// p(o_t) = softmax(W h_t + c) at the cursor t, with p(label) over t.
    case atCursor
}
