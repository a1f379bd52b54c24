/// What the engine worker reports back to the UI thread.
public enum EngineEvent: Hashable, Sendable {
    /// The trace so far (sent repeatedly while it grows, and once complete).
    case spectrum(SpectrumResult)
    case flips(FlipResult)
    case alignment(AlignmentResult)
    /// A computation for `analysisID` failed; the message is one line.
    case failed(analysisID: Int, message: String)
}
