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

    /// The network of a loaded model of any cell.
    public init(_ network: RecurrentNetwork) {
        switch network {
        case let .vanilla(model): self.init(model)
        case let .gated(gated): self.init(gated)
        }
    }

    /// The single tanh `Elman` layer of a one-layer tanh network (nil otherwise): what the
    /// stepper's fused fast path handles.
    public var singleTanhElman: Elman? {
        guard layers.count == 1, let cell = layers[0] as? Elman, cell.isTanh else { return nil }
        return cell
    }
}
