import Foundation
import Linalg
import MNIST

extension Network {
    /// Metadata `format` of a network's file (a run of `Network` checkpoints in this format only).
    public static let fileFormat = "ftle-network-1"

    /// The network as safetensors, in Float64: every block of `namedParameters` under its
    /// PyTorch name and layout, `task.permutation` (I64) for a permuted task, and metadata —
    /// `cell` (`cellName`; none for vanilla layers, as `RNNModel` writes them), task, hidden (layer 0's H), input size, layers (when L > 1), init,
    /// seed, epochs trained, test accuracy, the input standardization, and for vanilla layers
    /// their nonlinearity and bias mode as `RNNModel` writes them — so that `Network.read` (and
    /// PyTorch, for the built-in cells) reads the same network back. (The vanilla format has one
    /// φ and one bias mode, layer 0's: a vanilla stack mixing them does not read back as itself,
    /// and a run of one is refused at its start.)
    public func safeTensors() -> SafeTensorsFile {
        var tensors = [String: Tensor]()
        for block in namedParameters { tensors[block.name] = Tensor(float64: block.values, shape: block.shape) }
        if case let .permuted(p) = imageTask { tensors[TensorName.permutation] = Tensor(int64: p.map(Int64.init), shape: [p.count]) }
        var meta = metadata.extra
        meta["format"] = Network.fileFormat
        // A vanilla file names no cell (as `RNNModel` writes it: its weights' shapes say so).
        meta["cell"] = layers[0] is Elman ? nil : cellName
        meta["task"] = imageTask?.name ?? SequenceTask.noTaskName   // "none": array sequences, never guessed as MNIST
        meta["hidden"] = String(layers[0].hidden)
        meta["input_size"] = String(inputSize)
        meta["layers"] = layers.count > 1 ? String(layers.count) : nil
        if let elman = layers[0] as? Elman {
            meta["nonlinearity"] = elman.nonlinearity == .tanh ? nil : elman.nonlinearity.rawValue
            meta["bias"] = elman.biasMode.rawValue
        }
        metadata.record(into: &meta, standardization: inputStandardization)
        return SafeTensorsFile(tensors: tensors, metadata: meta)
    }

    /// Reads a model file of any cell (`read`).
    public static func load(from path: String, nonlinearity: Nonlinearity? = nil) throws -> Network {
        try read(try SafeTensorsFile(contentsOf: path), path: path, nonlinearity: nonlinearity)
    }

    /// The network of a model file: a file whose `cell` metadata names a registered cell
    /// (`RegisteredCells`) is built by that cell's loader, layer k from the tensors
    /// `rnn.<block>_l{k}` for k = 0, 1, … while any exist, with the readout `fc.weight` (C×H_L)
    /// and `fc.bias` (C), every value finite and within ±1e6, no tensor left unread, and the
    /// task, standardization and metadata read by the rules of every cell's loader
    /// (`RecordedModelFacts`). Any other file goes to the built-in loaders (`readBuiltIn`).
    /// Each failure is one line naming `path`.
    public static func read(_ file: SafeTensorsFile, path: String, nonlinearity: Nonlinearity? = nil) throws -> Network {
        guard let name = file.metadata["cell"], let loader = RegisteredCells.loader(name) else {
            return try readBuiltIn(file, path: path, nonlinearity: nonlinearity)
        }
        if let n = nonlinearity { throw FileFormatError(path: path, "--nonlinearity \(n.rawValue) applies to vanilla RNN models; this one is a \(name) network") }
        func fail(_ s: String) -> FileFormatError { FileFormatError(path: path, s) }
        func block(_ tensorName: String, as blockName: String) throws -> ParameterBlock {
            let t = file.tensors[tensorName]!
            guard t.dtype != .i64 else { throw fail("tensor \(quotedForMessage(tensorName)) is I64; expected F32 or F64") }
            let values = t.doubles
            guard values.allSatisfy(\.isFinite) else { throw fail("tensor \(quotedForMessage(tensorName)) holds a non-finite value") }
            return ParameterBlock(name: blockName, shape: t.shape, values: values)
        }
        var cells = [any RecurrentCell](), read: Set<String> = [TensorName.permutation]
        while true {
            let k = cells.count, suffix = "_l\(k)"
            let names = file.tensors.keys.filter { $0.hasPrefix("rnn.") && $0.hasSuffix(suffix) }.sorted()
            if names.isEmpty { break }
            var blocks = [String: ParameterBlock]()
            for n in names {
                let own = String(n.dropFirst(4).dropLast(suffix.count))
                blocks[own] = try block(n, as: own)
            }
            do { cells.append(try loader(blocks, k)) } catch let e as CellError { throw fail("layer \(k): \(e.description)") }
            read.formUnion(names)
        }
        guard !cells.isEmpty else { throw fail("no tensors rnn.*_l0: a \(quotedForMessage(name)) network needs at least one layer") }
        for required in [TensorName.readoutWeights, TensorName.readoutBias] where file.tensors[required] == nil {
            throw fail("missing tensor \(quotedForMessage(required))")
        }
        let w = try block(TensorName.readoutWeights, as: "fc.weight"), c = try block(TensorName.readoutBias, as: "fc.bias")
        read.formUnion([TensorName.readoutWeights, TensorName.readoutBias])
        if let extra = file.tensors.keys.sorted().first(where: { !read.contains($0) }) {
            throw fail("tensor \(quotedForMessage(extra)) is not part of a \(cells.count)-layer \(name) network")
        }
        guard w.shape.count == 2, c.shape.count == 1 else { throw fail("fc.weight must be a matrix and fc.bias a vector") }
        var network: Network
        do { network = try Network(layers: cells, readoutWeights: w.matrix, readoutBias: c.values) } catch let e as CellError { throw fail(e.description) }
        let facts = try RecordedModelFacts(file: file, path: path, inputSize: network.inputSize, classes: network.classes,
                                           layerCount: cells.count, weightKeys: ["cell", "layers"])
        if let stated = file.metadata["hidden"], stated != String(cells[0].hidden) {
            throw fail("metadata says hidden size \(quotedForMessage(stated)) but layer 0 has H = \(cells[0].hidden)")
        }
        try file.checkWeightMagnitudes(path: path)
        network.imageTask = facts.task
        network.inputStandardization = facts.standardization
        network.metadata = facts.metadata
        return network
    }

    /// A file of a built-in cell. The cell is told by `rnn.weight_hh_l0`'s shape: H×H is a
    /// vanilla layer (`RNNModel(file:path:nonlinearity:)`), 3H×H a GRU and 4H×H an LSTM
    /// (`GatedNetwork(file:path:)`); metadata key `cell`, when present, must agree.
    /// `nonlinearity` is for vanilla files that do not record theirs; a gated file refuses it.
    static func readBuiltIn(_ file: SafeTensorsFile, path: String, nonlinearity: Nonlinearity?) throws -> Network {
        let shape = file.tensors[TensorName.recurrentWeights]?.shape ?? []
        let gated = shape.count == 2 && shape[1] > 0 && shape[0] != shape[1]
        if gated {
            if let n = nonlinearity, n != .tanh {
                throw FileFormatError(path: path, "--nonlinearity \(n.rawValue) applies to vanilla RNN models; this one is gated")
            }
            return Network(try GatedNetwork(file: file, path: path))
        }
        if let stated = file.metadata["cell"], !CellRegistry.elman.isNamed(stated) {
            throw FileFormatError(path: path, "metadata says cell \(quotedForMessage(stated)) but the weights are a vanilla RNN's (weight_hh is H×H)")
        }
        return Network(try RNNModel<Double>(file: file, path: path, nonlinearity: nonlinearity))
    }
}
