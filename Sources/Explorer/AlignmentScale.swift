/// How the alignment heatmap shows cosines.
public enum AlignmentScale: String, Hashable, Sendable {
    /// Cosines in −1…1 on the diverging scale.
    case signed
    /// |cosine| in 0…1.
    case absolute

    public var toggled: AlignmentScale { self == .signed ? .absolute : .signed }
}
