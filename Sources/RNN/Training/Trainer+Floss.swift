import Foundation
import Linalg

/// The flossing gradient a run calls (see `FlossSettings`): for a network, one sequence (T×I
/// values, step-major), T and K, the exponents λ_1…λ_K and ∂(Σ λ_k²)/∂θ by PyTorch name.
/// Throws when the objective has no gradient on that sequence (some r_t^k = 0).
public typealias FlossingObjective = @Sendable (_ network: Network, _ sequence: [Double], _ steps: Int, _ k: Int) throws
    -> (exponents: [Double], gradient: [String: [Double]])

extension ModelTrainer {
    /// A flossing run needs the objective and K ≤ N.
    func checkFlossing(_ floss: FlossSettings) throws {
        guard flossingObjective != nil else { throw TrainingError.checkpoint("a flossing run needs the flossing gradient (set flossingObjective)") }
        try Self.checkFlossingSize(floss, of: model)
    }

    /// K ≤ N, the model's state size (checked when a run is made, before its files are written).
    static func checkFlossingSize(_ floss: FlossSettings, of model: Model) throws {
        let n = try model.engineNetwork().stateSize
        guard floss.k <= n else { throw TrainingError.invalid(.flossK, "must be at most the state size N = \(n) (got \(floss.k))") }
    }

    /// One flossing update (see `FlossSettings`) on a sequence of `sequences` drawn by the run's
    /// seed and the optimizer step; returns λ_1…λ_K before the update. A sequence on which the
    /// objective has no gradient (a direction with r = 0) is skipped: no update, λ = −∞ there.
    func flossStep(_ floss: FlossSettings, sequences: [Int]) throws -> [Double] {
        var rng = SeededRandom(seed: config.seed ^ (0xF1_055E_D000_0000 &+ UInt64(optimizer.step)))
        let chosen = sequences[Int(rng.next() % UInt64(sequences.count))]
        let one = train.batch([chosen], for: model)
        let steps = min(floss.steps ?? one.steps, one.steps)
        // A batch of one holds its sequence step-major (column t is x_t).
        let sequence = one.inputs.storage.prefix(steps * one.inputSize).map { Double($0) }
        // The model's file form once: the network is read from it and the update written into it.
        let file = model.safeTensors()
        let network = try Model.engineNetwork(of: file)
        let result: (exponents: [Double], gradient: [String: [Double]])
        // The objective throws only when it has no gradient on this sequence (its contract).
        do { result = try flossingObjective!(network, Array(sequence), steps, floss.k) } catch {
            return [Double](repeating: -.infinity, count: floss.k)
        }
        var norm = 0.0
        for g in result.gradient.values { for v in g { norm += v * v } }
        norm = norm.squareRoot()
        let scale = -floss.weight * (config.clip > 0 && norm > config.clip ? config.clip / (norm + 1e-6) : 1)
        model = try Model.adding(result.gradient.mapValues { $0.map { $0 * scale } }, to: file, config: config)
        return result.exponents
    }

    /// `lastFlossExponents`, or K empty (NaN) fields before the first update.
    var paddedFlossExponents: [Double] {
        lastFlossExponents.isEmpty ? [Double](repeating: .nan, count: config.floss?.k ?? 0) : lastFlossExponents
    }
}

extension TrainableModel {
    /// The model as the engine's Float64 network, through its file form (as every command reads
    /// a model file).
    public func engineNetwork() throws -> Network { try Self.engineNetwork(of: safeTensors()) }

    /// The engine's network of a model's file form.
    static func engineNetwork(of file: SafeTensorsFile) throws -> Network {
        try Network.read(file, path: "(the model in training)")
    }

    /// The model with `delta` added to its parameters, by PyTorch name and layout (a name the
    /// file lacks, e.g. `bias_hh` of a model that keeps one bias, is an error): through the
    /// file form, read back by `checkpointModel` with its checks.
    public func addingToParameters(_ delta: [String: [Double]], config: TrainingConfig) throws -> Self {
        try Self.adding(delta, to: safeTensors(), config: config)
    }

    /// `addingToParameters` on a model's file form (`file` is the model's `safeTensors()`).
    static func adding(_ delta: [String: [Double]], to file: SafeTensorsFile, config: TrainingConfig) throws -> Self {
        var file = file
        for (name, values) in delta {
            guard let tensor = file.tensors[name], tensor.count == values.count else {
                throw TrainingError.checkpoint("the update names \(name), which the model file does not hold with \(values.count) values")
            }
            let updated = zip(tensor.doubles, values).map { $0 + $1 }
            file.tensors[name] = tensor.dtype == .f32 ? Tensor(float32: updated.map { Float($0) }, shape: tensor.shape)
                                                      : Tensor(float64: updated, shape: tensor.shape)
        }
        return try Self.checkpointModel(in: file, path: "(the model in training)", config: config)
    }
}
