import Foundation
import Linalg

/// What a gated run's checkpoint holds (`Checkpoint`'s twin for a `GatedModel`).
public struct GatedCheckpoint<T: LinalgScalar>: Sendable {
    public var config: TrainingConfig
    public var model: GatedModel<T>
    public var optimizer: OptimizerState<T>
    public var position: TrainingPosition
}

/// A gated run's files, in the same folder layout and formats as a vanilla run's (`RunFolder`):
/// the same history, lock and checkpoint keys (`training_config`, `optimizer_step`,
/// `position_epoch`, `position_batch`, `optimizer.first.k`/`optimizer.second.k` in
/// `GatedModel.parameterArrays` order), with the gated model's tensors.
extension RunFolder {
    /// A new run's empty history and initial model (recording the run's settings).
    public func start<T>(initialModel: GatedModel<T>, config: TrainingConfig) throws {
        try prepare()
        try writeFileAtomically(historyPath, text: RunFiles.historyHeader + "\n")
        var m = initialModel
        config.record(into: &m.metadata)
        try m.save(to: initialModelPath)
    }

    /// Writes the checkpoint (atomic).
    public func writeCheckpoint<T>(_ c: GatedCheckpoint<T>) throws {
        var model = c.model
        for key in Self.checkpointOnlyKeys { model.metadata.extra[key] = nil }
        var file = model.safeTensors()
        for k in 0..<c.optimizer.first.count {
            file.tensors["optimizer.first.\(k)"] = Tensor(c.optimizer.first[k], shape: [c.optimizer.first[k].count])
            if c.optimizer.kind == .adam {
                file.tensors["optimizer.second.\(k)"] = Tensor(c.optimizer.second[k], shape: [c.optimizer.second[k].count])
            }
        }
        file.metadata["training_config"] = String(decoding: try JSONEncoder().encode(c.config), as: UTF8.self)
        file.metadata["optimizer_step"] = String(c.optimizer.step)
        file.metadata["position_epoch"] = String(c.position.epoch)
        file.metadata["position_batch"] = String(c.position.batch)
        try file.write(to: checkpointPath)
    }

    /// The gated checkpoint, every field validated as `RunFolder.checkpoint(in:path:)` does for
    /// a vanilla one: the config (a gated cell, the weights' cell, H and task), the position
    /// and the optimizer state. Each failure is one line naming the file and the field.
    public func readGatedCheckpoint<T>(as: T.Type = T.self) throws -> GatedCheckpoint<T> {
        let path = checkpointPath
        let file = try SafeTensorsFile(contentsOf: path)
        func fail(_ s: String) -> FileFormatError { FileFormatError(path: path, s) }
        let config = try Self.config(of: file, path: path)
        var model = try GatedModel<T>(file: file, path: path)
        for key in Self.checkpointOnlyKeys { model.metadata.extra[key] = nil }
        guard config.cell.gated == model.cell else {
            throw fail("training_config says cell \(config.cell.rawValue) but the weights are a \(model.cell.rawValue.uppercased())'s")
        }
        guard config.hidden == model.hidden else { throw fail("training_config says hidden \(config.hidden) but the weights have H = \(model.hidden)") }
        guard config.task == model.task.kind else {
            throw fail("training_config says task \(config.task.rawValue) but the weights are a \(model.task.name) model")
        }
        func position(_ key: String, upTo limit: Int) throws -> Int {
            guard let text = file.metadata[key] else { throw fail("checkpoint lacks its position (optimizer_step, position_epoch, position_batch)") }
            guard let v = Int(text), v >= 0, v <= limit else {
                throw fail("checkpoint field \(key) is \(quotedForMessage(text)), expected an integer in 0...\(limit)")
            }
            return v
        }
        let step = try position("optimizer_step", upTo: TrainingLimits.maximumStep)
        let epoch = try position("position_epoch", upTo: config.epochs)
        let batch = try position("position_batch", upTo: TrainingLimits.maximumStep)
        var optimizer = OptimizerState<T>(kind: config.optimizer, learningRate: config.learningRate, momentum: config.momentum,
                                          parameterCounts: model.parameterArrays.map(\.count))
        optimizer.step = step
        func state(_ name: String, count: Int) throws -> [T] {
            guard let t = file.tensors[name], t.count == count, t.dtype != .i64 else { throw fail("checkpoint lacks optimizer state \"\(name)\"") }
            let values = t.doubles.map { T($0) }
            guard values.allSatisfy(\.isFinite) else { throw fail("optimizer state \"\(name)\" contains NaN or Inf") }
            return values
        }
        for k in 0..<optimizer.first.count {
            optimizer.first[k] = try state("optimizer.first.\(k)", count: optimizer.first[k].count)
            if config.optimizer == .adam { optimizer.second[k] = try state("optimizer.second.\(k)", count: optimizer.second[k].count) }
        }
        return GatedCheckpoint(config: config, model: model, optimizer: optimizer, position: TrainingPosition(epoch: epoch, batch: batch))
    }

    /// `model.safetensors`: the weights with the run's settings and progress as metadata (atomic).
    public func writeModel<T>(_ model: GatedModel<T>, config: TrainingConfig, epochsTrained: Double, step: Int) throws {
        var m = model
        m.metadata.epochsTrained = epochsTrained
        config.record(into: &m.metadata)
        m.metadata.extra["step"] = String(step)
        try m.save(to: modelPath)
    }
}
