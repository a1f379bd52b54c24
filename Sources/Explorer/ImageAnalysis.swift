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
/// ``SampleAlignment/alignment(q:deltaV:side:)`` and ``PrefixGradients``.
struct ImageAnalysis {
    let id: Int
    let model: RNNModel<Double>
    let image: [Float]
    let label: Int
    let directions: Int
    let jacobian: JacobianConvention
    private var trace: LyapunovTrace

    init(id: Int, model: RNNModel<Double>, image: [Float], label: Int, directions: Int, jacobian: JacobianConvention = .forward) {
        self.id = id
        self.model = model
        self.image = image
        self.label = label
        self.directions = min(max(directions, 1), model.hidden)
        self.jacobian = jacobian
        let steps = model.task.steps
        let snapshotBytes = LyapunovStepper(model: model, k: self.directions, jacobian: jacobian).snapshotBytes
        trace = LyapunovTrace(notStarted: model, sequence: model.sequence(ofImage: image).map(Double.init), steps: steps,
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
        SpectrumResult(analysisID: id, directions: directions, totalSteps: totalSteps, logR: trace.logR, exponents: trace.exponents)
    }

    /// Q_t (H×K) for a computed step t ≥ 0, re-stepped from the nearest snapshot.
    func frame(atStep t: Int) throws -> Matrix<Double> { try trace.frame(atStep: t) }

    /// A_t for Q vectors 1…K against the first and last five right singular vectors of ΔV_t.
    func alignment(atStep t: Int) throws -> AlignmentResult {
        let q = try frame(atStep: t)
        let deltaV = PrefixGradients(model: model, states: trace.stateMatrix(throughStep: t), label: label).gradient(atStep: t)
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
        let scores = Sensitivity.pixelScores(stepScores: trace.logR.map { $0[0] }, task: task)
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
