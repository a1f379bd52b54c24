import Analysis

/// What to flip: the top `count` pixels of the R ranking (score ln r_t^1 of the step that
/// presents the pixel), restricted to up flips (dark → 1), down flips (lit → 0) or both,
/// and a random baseline of `count` pixels drawn with `baselineSeed` from the same candidates.
///
/// For a sequence (`--input(s)`), `ablation` replaces instead x_t at the top `count` steps by
/// a baseline (zero or the set mean), against `count` random steps (up and down are off).
public struct FlipRequest: Hashable, Sendable {
    public var count: Int
    public var up: Bool
    public var down: Bool
    public var baselineSeed: UInt64
    /// Sequences: the baseline that replaces x_t at the ablated steps (nil: no ablation).
    public var ablation: StepBaseline? = nil

    /// The candidates' mode, or nil when neither up nor down flips are on.
    public var mode: FlipMode? {
        switch (up, down) {
        case (true, true): .both
        case (true, false): .up
        case (false, true): .down
        case (false, false): nil
        }
    }
}
