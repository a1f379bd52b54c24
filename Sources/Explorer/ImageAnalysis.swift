import Analysis
import Linalg
import Lyapunov
import MNIST
import RNN

/// The engine-side work for one image under one model: steps the ``LyapunovStepper`` over
/// the whole sequence (K directions, from h_0 = 0 and the identity frame), keeping
///
/// - ln r_t^k and λ_k(t) for every step,
/// - h_0…h_T (for the prefix gradients ΔV_t),
/// - a copy of the stepper every `snapshotInterval` steps (see ``snapshotInterval(steps:hidden:directions:)``),
///   so Q_t at any t is recomputed from the nearest earlier snapshot in fewer than
///   `snapshotInterval` steps instead of storing T frames.
///
/// Alignment uses the same K-column frame (the first K Lyapunov vectors), not a full
/// H-column one. Flips and logits call ``Sensitivity``; alignment calls
/// ``SampleAlignment/alignment(q:deltaV:side:)`` and ``PrefixGradients``.
struct ImageAnalysis {
    let id: Int
    let model: RNNModel<Double>
    let image: [Float]
    let label: Int
    let directions: Int
    let snapshotInterval: Int
    private let sequence: [Double]
    private var stepper: LyapunovStepper
    private var snapshots: [LyapunovStepper] = []
    private var states: Matrix<Double>
    private var logR: [[Double]] = []
    private var exponents: [[Double]] = []

    init(id: Int, model: RNNModel<Double>, image: [Float], label: Int, directions: Int) {
        self.id = id
        self.model = model
        self.image = image
        self.label = label
        self.directions = min(max(directions, 1), model.hidden)
        let steps = model.task.steps
        snapshotInterval = Self.snapshotInterval(steps: steps, hidden: model.hidden, directions: self.directions)
        sequence = model.sequence(ofImage: image).map(Double.init)
        stepper = LyapunovStepper(model: model, k: self.directions)
        states = Matrix(rows: model.hidden, cols: steps + 1)
        logR.reserveCapacity(steps)
        exponents.reserveCapacity(steps)
    }

    /// Memory the snapshots may take (each holds the frame and its product buffer, both R
    /// factors and the QR workspace).
    static let snapshotBudgetBytes = 96 << 20

    /// Every 16 steps (T/8 for short sequences), widened so all snapshots fit the budget:
    /// with K = H = 512 that is about every 90 steps.
    static func snapshotInterval(steps: Int, hidden: Int, directions: Int) -> Int {
        let preferred = max(1, min(16, steps / 8))
        // Frame and product are H×(K+1) when the state column is fused in (K < H), the Gram
        // matrix and R₁, R₂ are K×K; 2H for the state vectors.
        let bytesPerSnapshot = 8 * (2 * hidden * (directions + 1) + 3 * directions * directions + 2 * hidden)
        let affordable = max(1, snapshotBudgetBytes / max(bytesPerSnapshot, 1))
        return max(preferred, (steps + affordable - 1) / affordable)
    }

    var totalSteps: Int { model.task.steps }
    var stepsDone: Int { stepper.t }
    var isComplete: Bool { stepper.t == totalSteps }

    /// Steps up to `count` more steps (fewer at the end of the sequence).
    mutating func advance(by count: Int) throws {
        let inputs = model.inputSize
        for _ in 0..<count where stepper.t < totalSteps {
            let t = stepper.t
            if t % snapshotInterval == 0 { snapshots.append(stepper) }
            try stepper.step(input: Array(sequence[(t * inputs)..<((t + 1) * inputs)]))
            logR.append(stepper.logR)
            exponents.append(stepper.exponents)
            states.setColumn(t + 1, stepper.h)
        }
    }

    /// The trace as far as it goes.
    var spectrum: SpectrumResult {
        SpectrumResult(analysisID: id, directions: directions, totalSteps: totalSteps, logR: logR, exponents: exponents)
    }

    /// Q_t (H×K) for a computed step t ≥ 0, re-stepped from the nearest snapshot.
    func frame(atStep t: Int) throws -> Matrix<Double> {
        precondition(t >= 0 && t <= stepsDone, "step \(t) is not computed yet")
        var replay = snapshots[min(t / snapshotInterval, snapshots.count - 1)]
        let inputs = model.inputSize
        while replay.t < t {
            let s = replay.t
            try replay.step(input: Array(sequence[(s * inputs)..<((s + 1) * inputs)]))
        }
        return replay.q
    }

    /// A_t for Q vectors 1…K against the first and last five right singular vectors of ΔV_t.
    func alignment(atStep t: Int) throws -> AlignmentResult {
        let q = try frame(atStep: t)
        let deltaV = PrefixGradients(model: model, states: states.columns(0..<(t + 1)), label: label).gradient(atStep: t)
        let a = try SampleAlignment.alignment(q: q, deltaV: deltaV, side: .right)   // K×H
        let h = model.hidden
        let first = Array(0..<min(5, h))
        let last = Array(max(h - 5, first.count)..<h)
        let columns = first + last
        var cosines: [Double] = []
        cosines.reserveCapacity(directions * columns.count)
        for i in 0..<directions { for j in columns { cosines.append(a[i, j]) } }
        return AlignmentResult(analysisID: id, t: t, directions: directions, singularIndices: columns, cosines: cosines)
    }

    /// Rankings, flipped images and their logits (one batched forward pass).
    func flips(_ request: FlipRequest) -> FlipResult {
        precondition(isComplete, "flips need the whole trace")
        let task = model.task
        let scores = Sensitivity.pixelScores(stepScores: logR.map { $0[0] }, task: task)
        let count = max(0, min(request.count, image.count))
        let top = Array(Sensitivity.ranking(scores: scores, image: image, mode: .both).prefix(count))
        let topSteps = top.map { task.step(ofPixel: $0) + 1 }
        guard let mode = request.mode else {
            let logits = Sensitivity.logits(model: model, images: [image])
            return FlipResult(analysisID: id, request: request, topPixels: top, topSteps: topSteps, rFlippedPixels: [],
                              randomPixels: [], original: logits[0], rFlipped: nil, randomFlipped: nil, label: label,
                              stepLogits: logitsAtEveryStep([image]))
        }
        let rPixels = Array(Sensitivity.ranking(scores: scores, image: image, mode: mode).prefix(count))
        let candidates = Sensitivity.candidates(image, mode)
        let randomPixels = Sensitivity.randomSubsets(candidates: candidates, k: count, count: 1,
                                                     seed: request.baselineSeed).first ?? []
        let images = [image, Sensitivity.flipped(image, pixels: rPixels), Sensitivity.flipped(image, pixels: randomPixels)]
        let logits = Sensitivity.logits(model: model, images: images)
        return FlipResult(analysisID: id, request: request, topPixels: top, topSteps: topSteps, rFlippedPixels: rPixels,
                          randomPixels: randomPixels, original: logits[0], rFlipped: logits[1], randomFlipped: logits[2],
                          label: label, stepLogits: logitsAtEveryStep(images))
    }

    /// o_t for t = 1…T of each image (one batched forward pass with the readout at every step).
    private func logitsAtEveryStep(_ images: [[Float]]) -> [[[Double]]] {
        let task = model.task
        let batch = SequenceBatch<Double>(sequences: images.map { task.sequence($0) },
                                          labels: [Int](repeating: 0, count: images.count), steps: task.steps,
                                          inputSize: task.inputSize)
        let trace = model.forward(batch, logitsAtEveryStep: true)
        return (0..<images.count).map { n in (1...task.steps).map { trace.logit($0, sample: n) } }
    }
}
