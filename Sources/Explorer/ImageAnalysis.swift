import Analysis
import Linalg
import Lyapunov
import MNIST
import RNN

/// The engine-side work for one image under one model: advances a ``LyapunovTrace`` over the
/// whole sequence (K directions, from h_0 = 0 and the identity frame, under the chosen Jacobian
/// convention), which keeps ln r_t^k, λ_k(t), h_0…h_T and a copy of the stepper every
/// `snapshotInterval` steps (so Q_t at any t is recomputed from the nearest earlier snapshot
/// in fewer than `snapshotInterval` steps instead of storing T frames).
///
/// Alignment uses the same K-column frame (the first K Lyapunov vectors), not a full
/// H-column one. Flips and logits call ``Sensitivity``; alignment calls
/// ``SampleAlignment/rankedAlignment(q:deltaV:side:)`` and ``BlockPrefixGradients``.
///
/// A GRU or LSTM network steps the same way (its state is h, or [h; c] for an LSTM); its
/// gates' mean activations per step go with the spectrum (the gate pane). Alignment takes
/// the top layer's whole recurrent block (V for a vanilla layer; all gates for a GRU or LSTM)
/// and the true cosine of each Q vector with its singular vectors placed in that layer's h.
///
/// The input is an MNIST image or any T×I sequence (``AnalysisInput``); for a sequence the
/// flips become step ablations (`ImageAnalysis+Ablation.swift`).
struct ImageAnalysis {
    let id: Int
    let model: Network
    let input: AnalysisInput
    /// The label the losses use: the given one, else the original's predicted class.
    let label: Int
    /// Whether `label` is the predicted class (a sequence without a label).
    let labelIsPredicted: Bool
    let directions: Int
    let jacobian: JacobianConvention
    /// x as the network sees it, T×I step-major (an image through the task and standardization).
    let sequence: [Double]
    let steps: Int
    private var trace: LyapunovTrace
    /// The model as the engine steps it (the same network as `model`).
    var network: Network { model }
    /// How logits are computed: a vanilla model's batched forward pass (its arithmetic since the
    /// explorer began), or any other network stepped through its cells (for a GRU or LSTM the
    /// same arithmetic as `GatedNetwork`'s own stepping).
    private enum Scoring {
        case vanilla(RNNModel<Double>)
        case cells
    }
    private let scoring: Scoring
    /// GRU/LSTM: each gate's mean activation at steps 1…T (T×G), and the gates' names.
    private let gateMeans: [[Double]]
    private let gateNames: [String]
    /// The CLVs' coefficients, once asked for (`prepareCovariantVectors`, ImageAnalysis+CLV.swift).
    var covariant: CovariantCoefficients?

    /// An MNIST image of `model`'s task (which it must have).
    init(id: Int, model: Network, image: [Float], label: Int, directions: Int, jacobian: JacobianConvention = .forward) {
        self.init(id: id, model: model, input: .image(image), label: label, directions: directions, jacobian: jacobian)
    }

    /// Any input: an image needs a model of an MNIST task; a sequence's I must be the model's.
    /// A nil label (a sequence without one) becomes the original's predicted class.
    init(id: Int, model: Network, input: AnalysisInput, label: Int?, directions: Int, jacobian: JacobianConvention = .forward) {
        self.id = id
        self.model = model
        self.input = input
        self.directions = min(max(directions, 1), model.stateSize)
        self.jacobian = jacobian
        scoring = model.vanillaModel.map { .vanilla($0) } ?? .cells
        switch input {
        case let .image(image):
            guard let task = model.imageTask else { preconditionFailure("an image needs a model of an MNIST task") }
            sequence = model.sequence(ofImage: image).map(Double.init)
            steps = task.steps
        case let .sequence(x, steps, _):
            precondition(x.count == steps * model.inputSize, "the sequence must be T×I for the model's I")
            sequence = x
            self.steps = steps
        }
        if let label {
            self.label = label
            labelIsPredicted = false
        } else {
            self.label = CrossEntropy.predictedClass(Self.finalLogits(scoring, model: model, sequences: [sequence], steps: steps)[0]) ?? 0
            labelIsPredicted = true
        }
        if let g = model.gatedNetwork {
            gateNames = g.cell.gateNames
            gateMeans = Self.gateMeans(g, sequence: sequence, steps: steps)
        } else {
            gateNames = []
            gateMeans = []
        }
        let snapshotBytes = LyapunovStepper(network: model, k: self.directions, jacobian: jacobian).snapshotBytes
        trace = LyapunovTrace(notStarted: model, sequence: sequence, steps: steps,
                              k: self.directions, jacobian: jacobian,
                              snapshotInterval: LyapunovTrace.snapshotInterval(steps: steps, bytesPerSnapshot: snapshotBytes))
    }

    var snapshotInterval: Int { trace.snapshotInterval ?? 1 }
    var totalSteps: Int { trace.steps }
    var stepsDone: Int { trace.stepsDone }
    var isComplete: Bool { trace.isComplete }

    /// Steps up to `count` more steps (fewer at the end of the sequence).
    mutating func advance(by count: Int) throws { try trace.advance(by: count) }

    /// The trace as far as it goes.
    var spectrum: SpectrumResult {
        var result = SpectrumResult(analysisID: id, directions: directions, totalSteps: totalSteps, logR: trace.logR, exponents: trace.exponents)
        result.gateNames = gateNames
        result.gateMeans = gateMeans
        return result
    }

    /// Each gate's activation averaged over the units (`GatedNetwork.meanGateActivations`),
    /// at every step of the sequence from s_0 = 0.
    static func gateMeans(_ g: GatedNetwork, sequence x: [Double], steps: Int) -> [[Double]] {
        var s = [Double](repeating: 0, count: g.stateSize), out: [[Double]] = []
        let i = g.inputSize
        for t in 0..<steps {
            let step = g.step(state: s, input: Array(x[(t * i)..<((t + 1) * i)]))
            out.append(GatedNetwork.meanGateActivations(step.layerSteps))
            s = step.state
        }
        return out
    }

    /// Logits o_T of each image (vanilla: one batched forward pass in Float64).
    private func finalLogits(_ images: [[Float]]) -> [[Double]] {
        if case let .vanilla(m) = scoring { return Sensitivity.logits(model: m, images: images) }
        return finalLogits(sequences: images.map { model.sequence(ofImage: $0).map(Double.init) })
    }

    /// Logits o_T of each sequence (T×I as the network sees it; vanilla: one batched pass).
    func finalLogits(sequences: [[Double]]) -> [[Double]] {
        Self.finalLogits(scoring, model: model, sequences: sequences, steps: steps)
    }

    private static func finalLogits(_ scoring: Scoring, model: Network, sequences: [[Double]], steps: Int) -> [[Double]] {
        switch scoring {
        case let .vanilla(m):
            let o = m.finalLogits(SequenceBatch<Double>(sequences: sequences, labels: [Int](repeating: 0, count: sequences.count),
                                                        steps: steps, inputSize: m.inputSize))
            return (0..<sequences.count).map { o.column($0) }
        case .cells: return sequences.map { model.finalLogits(sequence: $0, steps: steps) }
        }
    }

    /// Q_t (H×K) for a computed step t ≥ 0, re-stepped from the nearest snapshot.
    func frame(atStep t: Int) throws -> Matrix<Double> { try trace.frame(atStep: t) }

    /// The trace's h_0 (zero), for a second trace of the same sequence.
    var initialState: [Double] { trace.states[0] }

    /// A_t for Q vectors 1…K against the first and last five right singular vectors of ΔV_t
    /// within its numerical rank r (e1…e5 and e(r−4)…e_r): vectors past the rank span the
    /// null space, an arbitrary basis, and are never shown.
    /// With `basis` `.clv` the rows are the leading K CLVs v_k(t) = Q_t c_k(t) (after
    /// `prepareCovariantVectors`); outside steps W+1…T−W the result has a note and no cosines.
    func alignment(atStep t: Int, basis: AlignmentBasis = .q) throws -> AlignmentResult {
        var q = try frame(atStep: t)
        if basis == .clv {
            guard let covariant, let c = covariant.coefficients(atStep: t) else {
                return covariantNote(atStep: t)
            }
            q = matmul(q, c)
        }
        // ΔW_t of the top layer's whole recurrent block (V for a vanilla layer), from the
        // trace's h_0; its singular vectors live in that layer's h, met by the true cosine.
        let size = network.inputSize
        let prefix = try BlockPrefixGradients(network: network, block: .top(of: network), sequence: Array(sequence[0..<(t * size)]),
                                              steps: t, label: label, initialState: trace.states[0])
        let inH = SampleAlignment.frame(q, rows: prefix.stateRows, components: .state).q
        let ranked = try SampleAlignment.rankedAlignment(q: inH, deltaV: prefix.gradient(atStep: t), side: .right)   // K×H
        let a = ranked.cosines, rank = ranked.rank
        let first = Array(0..<min(5, rank))
        let last = Array(max(rank - 5, first.count)..<rank)
        let columns = first + last
        var cosines: [Double] = []
        cosines.reserveCapacity(directions * columns.count)
        for i in 0..<directions { for j in columns { cosines.append(a[i, j]) } }
        return AlignmentResult(analysisID: id, t: t, directions: directions, singularIndices: columns, cosines: cosines,
                               rank: rank, dimension: prefix.columns, basis: basis,
                               minAngles: basis == .clv ? covariant.map { ($0.steps, $0.minAngles) } : nil)
    }

    /// Rankings, flipped images and their logits (one batched forward pass).
    func flips(_ request: FlipRequest) -> FlipResult {
        precondition(isComplete, "flips need the whole trace")
        guard case let .image(image) = input, let task = model.imageTask else { return ablations(request) }
        let scores = Sensitivity.pixelScores(stepScores: trace.logR.map { $0[0] }, task: task)
        let count = max(0, min(request.count, image.count))
        let top = Array(Sensitivity.ranking(scores: scores, image: image, mode: .both).prefix(count))
        let topSteps = top.map { task.step(ofPixel: $0) + 1 }
        guard let mode = request.mode else {
            let logits = finalLogits([image])
            return FlipResult(analysisID: id, request: request, topPixels: top, topSteps: topSteps, rFlippedPixels: [],
                              randomPixels: [], original: logits[0], rFlipped: nil, randomFlipped: nil, label: label,
                              stepLogits: logitsAtEveryStep(images: [image]))
        }
        let rPixels = Array(Sensitivity.ranking(scores: scores, image: image, mode: mode).prefix(count))
        let candidates = Sensitivity.candidates(image, mode)
        let randomPixels = Sensitivity.randomSubsets(candidates: candidates, k: count, count: 1,
                                                     seed: request.baselineSeed).first ?? []
        let images = [image, Sensitivity.flipped(image, pixels: rPixels), Sensitivity.flipped(image, pixels: randomPixels)]
        let logits = finalLogits(images)
        return FlipResult(analysisID: id, request: request, topPixels: top, topSteps: topSteps, rFlippedPixels: rPixels,
                          randomPixels: randomPixels, original: logits[0], rFlipped: logits[1], randomFlipped: logits[2],
                          label: label, stepLogits: logitsAtEveryStep(images: images))
    }

    /// o_t for t = 1…T of each image. Each image goes in as the network sees it
    /// (`sequence(ofImage:)`: the task's order and the model's input standardization).
    private func logitsAtEveryStep(images: [[Float]]) -> [[[Double]]] {
        logitsAtEveryStep(sequences: images.map { model.sequence(ofImage: $0).map(Double.init) })
    }

    /// o_t for t = 1…T of each sequence (vanilla: one batched forward pass with the readout at
    /// every step; gated and other cells: stepped from s_0 = 0).
    func logitsAtEveryStep(sequences: [[Double]]) -> [[[Double]]] {
        switch scoring {
        case let .vanilla(m):
            let batch = SequenceBatch<Double>(sequences: sequences, labels: [Int](repeating: 0, count: sequences.count),
                                              steps: steps, inputSize: m.inputSize)
            let trace = m.forward(batch, logitsAtEveryStep: true)
            return (0..<sequences.count).map { n in (1...steps).map { trace.logit($0, sample: n) } }
        case .cells:
            return sequences.map { x in
                let i = model.inputSize
                var s = [Double](repeating: 0, count: model.stateSize), out: [[Double]] = []
                for t in 0..<steps {
                    s = model.step(state: s, input: Array(x[(t * i)..<((t + 1) * i)])).state
                    out.append(model.logits(state: s))
                }
                return out
            }
        }
    }
}
