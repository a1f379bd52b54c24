import Analysis
import Lyapunov
import MNIST
import TerminalUI

/// The explorer's whole UI state. It changes only in ``handle(_:)``; ``ExplorerScreen``
/// renders it as a pure function.
///
/// Conventions: t counts the steps presented so far, 1…T, so the spectrum at t is
/// λ_k(t) = (1/t) Σ_{s≤t} ln r_s^k (natural log) and the digit shows the pixels of steps
/// 1…t as presented.
///
/// The input is an MNIST image of `dataset` (the default) or, when `sequences` is set, one of
/// those sequences (`--input` / `--inputs`): then `imageIndex` is the sequence's index, the
/// Input pane takes the Digit pane's place and `image` is empty.
public struct ExplorerState: Sendable {
    // Model and input.
    public var model: ModelSummary
    public var dataset: MNISTDataset
    /// The sequences of `--input` / `--inputs`; nil for MNIST images.
    public var sequences: SequenceSource?
    /// The image's index in `dataset`, or the sequence's in `sequences`.
    public var imageIndex: Int
    public var image: [Float]
    /// The image's label (MNIST), or the sequence's when known (else 0; see ``knownLabel``).
    public var label: Int
    /// Bumped whenever the model or the image changes; results for older IDs are ignored.
    public var analysisID = 1
    /// K, the tangent directions the engine steps (min(N, 32) by default, N the state size).
    public var directions: Int
    /// How the engine propagates the frame: Q_t R_t = D_t Q_{t−1} (forward) or D_tᵀ Q_{t−1}.
    public var jacobian: JacobianConvention = .forward

    // Cursor and playback.
    public var t: Int
    public var isPlaying = false

    // Flips.
    public var flipUp = false
    public var flipDown = false
    /// k, the number of flipped (and marked) pixels.
    public var flipCount = 10
    public var baselineSeed: UInt64 = 0
    /// Sequences: what replaces x_t at the top-k steps (nil: no ablation; `b` cycles).
    public var ablation: StepBaseline?

    // View.
    public var spectrumScroll = 0
    /// The first Q vector the alignment heatmap shows (0-based; `[` `]` while it has the focus).
    public var alignmentScroll = 0
    public var alignmentScale = AlignmentScale.signed
    public var alignmentView = AlignmentView.heatmap
    /// The alignment pane's vectors (`C` toggles): Q vectors or CLVs.
    public var alignmentBasis = AlignmentBasis.q
    /// Whether the alignment pane's place shows the gate pane (`v` toggles; the default
    /// for gated models, whose alignment is undefined).
    public var showsGates = false
    /// The logits pane's view as chosen with `c`; nil follows the flips: at the cursor
    /// while flips are off, p(o_T) while they are on.
    public var chosenLogitsView: LogitsView?
    public var focus = Pane.spectrum
    public var isZoomed = false
    public var showsHelp = false
    /// The first help entry shown (the overlay scrolls when it does not fit).
    public var helpScroll = 0
    public var prompt: Prompt?
    public var status: StatusMessage?
    public var themeNames: [String]
    public var context: RenderContext
    public var size: TerminalSize

    // Results.
    public var spectrum: SpectrumResult?
    public var flips: FlipResult?
    public var alignment: AlignmentResult?
    public var engineError: String?
    public var training = TrainingStatus()
    /// Whether the user asked to see training weights (`R`) and they have not arrived yet.
    public var isReloadPending = false

    public var shouldQuit = false

    public init(model: ModelSummary, dataset: MNISTDataset, imageIndex: Int, directions: Int,
                context: RenderContext = RenderContext(), themeNames: [String] = ["dark"],
                size: TerminalSize = TerminalSize(width: 120, height: 40)) {
        let index = min(max(imageIndex, 0), max(dataset.count - 1, 0))
        self.init(model: model, dataset: dataset, sequences: nil, index: index, image: dataset.image(index), label: dataset.label(index),
                  directions: directions, steps: model.steps, context: context, themeNames: themeNames, size: size)
    }

    /// The explorer on sequence `index` of `sequences` (no MNIST data).
    public init(model: ModelSummary, sequences: SequenceSource, index: Int, directions: Int,
                context: RenderContext = RenderContext(), themeNames: [String] = ["dark"],
                size: TerminalSize = TerminalSize(width: 120, height: 40)) {
        let n = min(max(index, 0), sequences.count - 1)
        // An empty split: every image path is guarded by `sequences == nil`.
        self.init(model: model, dataset: .empty(.test), sequences: sequences, index: n, image: [], label: sequences.label(n) ?? 0,
                  directions: directions, steps: sequences.steps, context: context, themeNames: themeNames, size: size)
        // k: 10 steps, but at most a fifth of a short sequence (at least 1).
        flipCount = min(10, max(1, sequences.steps / 5))
    }

    /// What both sources share: the cursor at the last step, K clamped to 1...N, the gate
    /// pane shown first for a gated cell.
    private init(model: ModelSummary, dataset: MNISTDataset, sequences: SequenceSource?, index: Int, image: [Float], label: Int,
                 directions: Int, steps: Int, context: RenderContext, themeNames: [String], size: TerminalSize) {
        self.model = model
        self.dataset = dataset
        self.sequences = sequences
        imageIndex = index
        self.image = image
        self.label = label
        self.directions = min(max(directions, 1), model.stateSize)
        t = steps
        self.context = context
        self.themeNames = themeNames
        self.size = size
        showsGates = model.cellEntry.isGated
    }

    /// T: the MNIST task's, or the sequences'.
    public var steps: Int { sequences?.steps ?? model.steps }

    /// For each "pixel" the flips and marks index, its 1-based step: the task's pixel order
    /// for an image; for sequences the flip results index 0-based steps, so s ↦ s + 1.
    public var stepOfPixel: [Int] { sequences.map { Array(1...$0.steps) } ?? model.stepOfPixel }

    /// The label of the current input, nil for a sequence without one.
    public var knownLabel: Int? { sequences.map { $0.label(imageIndex) } ?? label }

    /// The current input as the engine takes it.
    public var analysisInput: AnalysisInput {
        guard let sequences else { return .image(image) }
        return .sequence(sequences.sequence(imageIndex), steps: sequences.steps, mean: sequences.meanSequence)
    }

    /// The flip settings as a request.
    public var flipRequest: FlipRequest {
        var request = FlipRequest(count: flipCount, up: flipUp, down: flipDown, baselineSeed: baselineSeed)
        if sequences != nil { (request.up, request.down, request.ablation) = (false, false, ablation) }
        return request
    }

    /// The current results, if they belong to the current analysis.
    public var currentSpectrum: SpectrumResult? { spectrum?.analysisID == analysisID ? spectrum : nil }
    public var currentFlips: FlipResult? { flips?.analysisID == analysisID ? flips : nil }
    public var currentAlignment: AlignmentResult? {
        alignment?.analysisID == analysisID && alignment?.basis == alignmentBasis ? alignment : nil
    }

    /// The logits pane's view: the chosen one, else at the cursor while flips (ablations) are off.
    public var logitsView: LogitsView { chosenLogitsView ?? (flipUp || flipDown || ablation != nil ? .final : .atCursor) }

    /// Whether the flip result matches the current flip settings.
    public var flipsAreCurrent: Bool { currentFlips?.request == flipRequest }
}
