import Linalg

extension Network {
    /// The network of a vanilla model: one `Elman` cell per layer (its nonlinearity and bias
    /// mode), the same readout, task and metadata.
    public init(_ model: RNNModel<Double>) {
        let cells: [any RecurrentCell] = model.layers.map { Elman($0, nonlinearity: model.nonlinearity, biasMode: model.biasMode) }
        self.init(chained: cells, readoutWeights: model.w, readoutBias: model.c)   // RNNModel's shapes chain
        imageTask = model.imageTask
        inputStandardization = model.inputStandardization
        metadata = model.metadata
    }

    /// The network of a GRU or LSTM stack.
    public init(_ gated: GatedNetwork) {
        let cells: [any RecurrentCell] = gated.layers.map { $0.cell == .gru ? GRU($0) as any RecurrentCell : LSTM($0) }
        self.init(chained: cells, readoutWeights: gated.readoutWeights, readoutBias: gated.readoutBias)   // checked by GatedNetwork
        imageTask = gated.imageTask
        inputStandardization = gated.inputStandardization
        metadata = gated.metadata
    }

    /// The vanilla model of a network whose layers are all `Elman` cells of one nonlinearity
    /// and bias mode (a bias-free one with b = 0; nil otherwise): what the vanilla fast paths and Float32 scoring take.
    /// Exact: the cells' own matrices, readout, task and metadata (`Network(model).vanillaModel
    /// == model`, tested).
    public var vanillaModel: RNNModel<Double>? {
        let cells = layers.compactMap { $0 as? Elman }
        guard cells.count == layers.count, let first = cells.first,
              cells.allSatisfy({ $0.nonlinearity == first.nonlinearity && $0.biasMode == first.biasMode }),
              first.biasMode != .none || cells.allSatisfy({ $0.b.allSatisfy { $0 == 0 } }) else { return nil }
        return RNNModel(u: first.u, v: first.v, b: first.b, w: readoutWeights, c: readoutBias, task: imageTask, metadata: metadata,
                        biasMode: first.biasMode, inputStandardization: inputStandardization,
                        upperLayers: cells.dropFirst().map { RecurrentLayer(u: $0.u, v: $0.v, b: $0.b) }, nonlinearity: first.nonlinearity)
    }

    /// The GRU or LSTM stack of a network whose layers are all gated cells of one kind (nil
    /// otherwise): what the gated fast paths take. Exact, as `vanillaModel`.
    public var gatedNetwork: GatedNetwork? {
        let cells = layers.compactMap { ($0 as? any GatedRecurrentCell)?.layer }
        guard cells.count == layers.count,
              var network = try? GatedNetwork(layers: cells, readoutWeights: readoutWeights, readoutBias: readoutBias) else { return nil }
        network.imageTask = imageTask
        network.inputStandardization = inputStandardization
        network.metadata = metadata
        return network
    }

    /// The cell of the layers, by name (`cellName`).
    public var cellKind: CellKind { CellKind(rawValue: cellName) }

    /// The registry's entry of a built-in cell (its gates and state multiple); a foreign
    /// cell's entry is its own name and gates, state multiple S/H.
    public var cellEntry: CellRegistry {
        if let entry = [CellRegistry.elman, .gru, .lstm].first(where: { $0.isNamed(cellName) }) { return entry }
        return CellRegistry(name: cellName, gateNames: layers[0].gateNames, stateMultiple: layers[0].stateSize / layers[0].hidden)
    }

    /// The single tanh `Elman` layer of a one-layer tanh network (nil otherwise): what the
    /// stepper's fused fast path handles.
    public var singleTanhElman: Elman? {
        guard layers.count == 1, let cell = layers[0] as? Elman, cell.isTanh else { return nil }
        return cell
    }
}

extension Network: Equatable {
    /// Same cells (each compared as its own type: equal values of an `Equatable` cell, or the
    /// same type and parameters), readout, task, standardization and metadata.
    public static func == (a: Network, b: Network) -> Bool {
        func sameCell(_ x: any RecurrentCell, _ y: any RecurrentCell) -> Bool {
            func equal<E: Equatable>(_ x: E, _ y: Any) -> Bool { (y as? E) == x }
            if let e = x as? any Equatable { return equal(e, y) }
            return type(of: x) == type(of: y) && x.parameters == y.parameters
        }
        return a.layers.count == b.layers.count && zip(a.layers, b.layers).allSatisfy(sameCell)
            && a.readoutWeights == b.readoutWeights && a.readoutBias == b.readoutBias && a.imageTask == b.imageTask
            && a.inputStandardization == b.inputStandardization && a.metadata == b.metadata
    }
}
