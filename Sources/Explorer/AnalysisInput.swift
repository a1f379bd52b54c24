/// What the engine feeds the network: an MNIST image (made a sequence by the model's task and
/// input standardization) or a T×I sequence taken as it is.
public enum AnalysisInput: Sendable, Equatable {
    /// 784 pixel values in 0…1, row-major.
    case image([Float])
    /// x, T×I values step-major, and the set's mean sequence x̄ (T×I, the `mean` ablation baseline).
    case sequence([Double], steps: Int, mean: [Double])
}
