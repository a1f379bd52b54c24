import RNN

/// Logits of the original image and of its R-flipped and random-flipped versions (for a
/// sequence: of the original and its R-ablated and random-ablated versions, "pixels" being
/// 0-based steps).
///
/// Logits are o_T (the readout after the whole sequence). With flips off only `original`
/// is set and `rFlippedPixels` / `randomPixels` are empty; `topPixels` (the top-k of the
/// ranking over all pixels) is always set so the digit pane can mark them.
public struct FlipResult: Hashable, Sendable {
    public var analysisID: Int
    public var request: FlipRequest
    /// Top-k pixels (row-major indices) by the R score over every pixel.
    public var topPixels: [Int]
    /// The steps (1-based) that present `topPixels`.
    public var topSteps: [Int]
    /// Pixels changed in the R-flipped image.
    public var rFlippedPixels: [Int]
    /// Pixels changed in the random-flipped image.
    public var randomPixels: [Int]
    public var original: [Double]
    public var rFlipped: [Double]?
    public var randomFlipped: [Double]?
    public var label: Int
    /// o_t = W h_t + c at every step t = 1…T (row t−1) for each variant: original, then
    /// R-flipped and random-flipped when flips are on.
    public var stepLogits: [[[Double]]]
    /// Whether `label` is the original's predicted class (a sequence given without a label):
    /// losses are then against that class.
    public var labelIsPredicted = false

    public init(analysisID: Int, request: FlipRequest, topPixels: [Int], topSteps: [Int], rFlippedPixels: [Int],
                randomPixels: [Int], original: [Double], rFlipped: [Double]?, randomFlipped: [Double]?, label: Int, stepLogits: [[[Double]]] = [],
                labelIsPredicted: Bool = false) {
        self.stepLogits = stepLogits
        self.labelIsPredicted = labelIsPredicted
        self.analysisID = analysisID
        self.request = request
        self.topPixels = topPixels
        self.topSteps = topSteps
        self.rFlippedPixels = rFlippedPixels
        self.randomPixels = randomPixels
        self.original = original
        self.rFlipped = rFlipped
        self.randomFlipped = randomFlipped
        self.label = label
    }

    /// Softmax probabilities, the arg-max class and the cross-entropy against `label`.
    public func summary(of logits: [Double]) -> (probabilities: [Double], predicted: Int, loss: Double) {
        let p = CrossEntropy.softmax(logits)
        let predicted = CrossEntropy.predictedClass(logits) ?? 0
        return (p, predicted, CrossEntropy.loss(logits, label: label))
    }

    /// The step at which the last of `pixels` is presented under `stepOfPixel` (0 if none).
    public static func lastStep(of pixels: [Int], stepOfPixel: [Int]) -> Int {
        pixels.map { $0 < stepOfPixel.count ? stepOfPixel[$0] : 0 }.max() ?? 0
    }
}
