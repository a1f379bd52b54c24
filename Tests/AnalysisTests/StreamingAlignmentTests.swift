import Analysis
import Linalg
import Lyapunov
import MNIST
import RNN
import Testing
import TestSupport

/// The streamed alignment (`forEachStep`, one frame held at a time, what `align` and `report`
/// run) against the stored-frame reference (`alignment(atStep:)` over a trace that keeps every
/// Q_t): the same arithmetic in the same order, so the matrices are equal bit for bit, under
/// both conventions and both gradient initial states.
@Suite struct StreamingAlignmentTests {
    static let model = RNNModel<Double>(task: .rowwise, hidden: 24, initialization: .xavierNormal, seed: 9)

    @Test(arguments: JacobianConvention.allCases, [false, true])
    func vanillaStreamEqualsStoredFrames(jacobian: JacobianConvention, independent: Bool) throws {
        let seq = Self.model.sequence(ofImage: testImages.image(4)).map(Double.init)
        var rng = SeededRandom(seed: 21)
        let h0 = (0..<24).map { _ in rng.nextNormal() }, g0 = (0..<24).map { _ in rng.nextNormal() }
        let reference = try SampleAlignment(model: Self.model, sequence: seq, steps: 28, label: testImages.label(4), initialState: h0,
                                            jacobian: jacobian, gradientInitialState: independent ? g0 : nil)
        var seen: [Int] = []
        try SampleAlignment.forEachStep(network: Network(Self.model), block: WeightBlock(layer: 0), sequence: seq, steps: 28, label: testImages.label(4), initialState: h0,
                                        jacobian: jacobian, gradientInitialState: independent ? g0 : nil) { t, a in
            seen.append(t)
            let stored = try reference.alignment(atStep: t)
            #expect(a == stored, "t = \(t)")
        }
        #expect(seen == Array(1...28))
    }

    @Test(arguments: GatedLayer.Cell.allCases, QComponents.allCases)
    func gatedStreamEqualsStoredFrames(cell: GatedLayer.Cell, components: QComponents) throws {
        let net = try BlockAlignmentTests.network(cell, input: 3, hidden: 6, classes: 4, seed: 17)
        let x = BlockAlignmentTests.sequence(steps: 7, input: 3, seed: 2)
        let h0 = (0..<net.stateSize).map { Double($0 % 5) * 0.2 - 0.4 }
        for gate in [nil] + (0..<cell.gateCount).map(Optional.some) {
            let block = WeightBlock(layer: 0, gate: gate)
            let reference = try SampleAlignment(network: net, block: block, sequence: x, steps: 7, label: 2, initialState: h0,
                                                qComponents: components)
            var count = 0
            try SampleAlignment.forEachStep(network: net, block: block, sequence: x, steps: 7, label: 2, initialState: h0,
                                            qComponents: components) { t, a in
                count += 1
                let stored = try reference.alignment(atStep: t)
                #expect(a == stored, "gate \(String(describing: gate)) t = \(t)")
            }
            #expect(count == 7)
        }
    }
}
