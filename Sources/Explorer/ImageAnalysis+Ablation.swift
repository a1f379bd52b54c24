import Analysis
import RNN

extension ImageAnalysis {
    /// A sequence's steps ranked by the score ln r_t^1, highest first; ties (and −∞) by step
    /// (0-based steps, as `ftle perturb --inputs` ranks them).
    static func stepRanking(scores: [Double]) -> [Int] {
        Array(scores.indices).sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
    }

    /// The sequence counterpart of ``flips(_:)``: the top-k steps by ln r_t^1 are marked
    /// (`topSteps`, 1-based) and, with `request.ablation` set, x_t at those steps is replaced
    /// by the baseline (zero, or the set's mean x̄_t) — the R-ablated sequence — and at k
    /// steps drawn with `baselineSeed` from all T — the random-ablated one; logits o_T and o_t
    /// of each. `rFlippedPixels` and `randomPixels` then hold 0-based steps.
    func ablations(_ request: FlipRequest) -> FlipResult {
        guard case let .sequence(x, steps, mean) = input else { preconditionFailure("ablations are for sequences") }
        let ranking = Self.stepRanking(scores: spectrum.logR.map { $0[0] })
        let count = max(0, min(request.count, steps))
        let top = Array(ranking.prefix(count))
        guard let baseline = request.ablation else {
            return FlipResult(analysisID: id, request: request, topPixels: top, topSteps: top.map { $0 + 1 }, rFlippedPixels: [],
                              randomPixels: [], original: finalLogits(sequences: [x])[0], rFlipped: nil, randomFlipped: nil,
                              label: label, stepLogits: logitsAtEveryStep(sequences: [x]), labelIsPredicted: labelIsPredicted)
        }
        let random = Sensitivity.randomSubsets(candidates: Array(0..<steps), k: count, count: 1, seed: request.baselineSeed).first ?? []
        let inputSize = model.inputSize
        let sequences = [x, SequenceSource.ablated(x, steps: top, inputSize: inputSize, baseline: baseline, mean: mean),
                         SequenceSource.ablated(x, steps: random, inputSize: inputSize, baseline: baseline, mean: mean)]
        let logits = finalLogits(sequences: sequences)
        return FlipResult(analysisID: id, request: request, topPixels: top, topSteps: top.map { $0 + 1 }, rFlippedPixels: top,
                          randomPixels: random, original: logits[0], rFlipped: logits[1], randomFlipped: logits[2],
                          label: label, stepLogits: logitsAtEveryStep(sequences: sequences), labelIsPredicted: labelIsPredicted)
    }
}
