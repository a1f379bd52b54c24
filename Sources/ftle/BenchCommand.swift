import Analysis
import ArgumentParser
import Foundation
import Linalg
import Lyapunov
import MNIST
import RNN

/// The cell of `bench ftle-full|ftle-partial`.
enum BenchCell: String, ExpressibleByArgument, CaseIterable { case rnn, gru, lstm }

extension Bench {
    /// ftle-full / ftle-partial on one GRU or LSTM layer: the workload of bench/gated_ftle_peer.py
    /// (I = 1, weights and biases U(−1/√H, 1/√H)·3, x_t ~ N(0, 1), s_0 = 0, Q_0 = I[:, :K],
    /// Float64). The draws are ftle's own (SeededRandom), so λ differs from the peer's; the
    /// time per sequence is what compares.
    func gatedFTLE() throws -> [String: Any] {
        let gatedCell: GatedLayer.Cell = cell == .gru ? .gru : .lstm
        let h = hidden ?? (workload == .ftleFull ? 128 : 512), t = steps ?? 784
        let n = gatedCell == .lstm ? 2 * h : h
        let kk = workload == .ftleFull ? n : (k ?? 32)
        guard kk <= n else { throw UsageError("--k \(kk) exceeds the state size \(n)") }
        var rng = SeededRandom(seed: 0)
        let bound = 3 / Double(h).squareRoot(), rows = gatedCell.gateCount * h
        func uniform(_ r: Int, _ c: Int) -> Matrix<Double> { .uniform(rows: r, cols: c, -bound, bound, using: &rng) }
        let layer = try GatedLayer(cell: gatedCell, inputWeights: uniform(rows, 1), recurrentWeights: uniform(rows, h),
                                   inputBias: uniform(rows, 1).column(0), recurrentBias: uniform(rows, 1).column(0))
        let network = try GatedNetwork(layers: [layer], readoutWeights: Matrix(rows: 10, cols: h), readoutBias: [Double](repeating: 0, count: 10))
        let x = (0..<t).map { _ in rng.nextNormal() }
        var best = Double.infinity, spectrum: [Double] = []
        for _ in 0..<`repeat` {
            let start = monotonicSeconds()
            let trace = try LyapunovTrace(network: Network(network), sequence: x, steps: t, k: kk,
                                          qrMethod: qr == "householder" ? .householder : .automatic)
            best = min(best, monotonicSeconds() - start)
            spectrum = trace.spectrum
        }
        // W_hh·Q_h: 2·G·H·H·K; Householder QR of N×K: 4NK² − 4K³/3 (the diagonal scalings are O(NK)).
        let (g, hD, nD, kD) = (Double(gatedCell.gateCount), Double(h), Double(n), Double(kk))
        let flops = Double(t) * (2 * g * hD * hD * kD + 4 * nD * kD * kD - 4 * pow(kD, 3) / 3)
        return ["cell": cell.rawValue, "qr": qr, "hidden": h, "state_size": n, "steps": t, "k": kk, "best_seconds": best,
                "gflops": flops / best / 1e9,
                "lambda_1": spectrum.first ?? .nan, "lambda_k": spectrum.last ?? .nan]
    }
}

/// Workloads mirroring ../shared/bench (see bench/README.md): one machine-readable JSON line each.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time one benchmark workload inside the binary and print one JSON line.",
        discussion: """
        Workloads (as in the peers' scripts): ftle-full and ftle-partial run Algorithm 1 on a random tanh RNN \
        (V ~ N(0, 1.5²/H), U ~ N(0, 1) H×1, b = 0, x_t ~ N(0, 1), h_0 = 0, Q_0 = I[:, :K], Float64); \
        train-rowwise and train-permuted run BPTT training steps (Adam lr 1e-3, clip off, Float32) on random \
        data of MNIST shape (--threads N > 1: data-parallel shards, one BLAS thread each); gemm times an n×n×n GEMM \
        (the machine's BLAS limit). align, perturb and report time the experiments on the bundled models with \
        --threads workers (default: the number of cores; one BLAS thread each, as the commands): align is `ftle \
        align` on the trained row-wise model (--samples, default 25), perturb is `ftle perturb` on the permuted \
        model (--images, default 4, the nine default k), report is report's studies (both row-wise alignments with \
        --samples, perturb both/up/down with --images). floss times one flossing gradient (Σ λ_k² of one \
        sequence, --hidden, --steps, --k; defaults 64, 20, 4) against one training step on a --batch of the same \
        sequences (Float32, one shard), per call over --batches calls (default 20), with their ratio and the \
        flossing gradient's working set (floss_bytes). Best of --repeat runs.
        """)

    enum Workload: String, ExpressibleByArgument, CaseIterable {
        case ftleFull = "ftle-full", ftlePartial = "ftle-partial", trainRowwise = "train-rowwise", trainPermuted = "train-permuted", gemm
        case align, perturb, report, floss
    }

    @Argument(help: "ftle-full, ftle-partial, train-rowwise, train-permuted, gemm, align, perturb, report or floss.") var workload: Workload
    @Option(help: "Hidden size H.") var hidden: Int?
    @Option(help: "Steps T (FTLE workloads).") var steps: Int?
    @Option(help: "Directions K (ftle-partial).") var k: Int?
    @Option(help: "Batch size (training).") var batch: Int = 64
    @Option(help: "Training steps timed (after one warm-up step).") var batches: Int?
    @Option(help: "Matrix size n (gemm).") var n: Int = 512
    @Option(help: "Precision for gemm: f32 or f64.") var precision: String = "f64"
    @Option(help: "Repetitions; the best time is reported.") var `repeat`: Int = 3
    @Option(help: "QR of the FTLE workloads: automatic (CholeskyQR2, Householder fallback) or householder.") var qr: String = "automatic"
    @Option(parsing: .unconditional, help: ArgumentHelp("Workers: align/perturb/report (default: the number of cores) or data-parallel training shards (default: the number of cores, as ftle train; 1: one shard).", valueName: "n"))
    var threads: Int?
    @Option(help: "Cell of the FTLE workloads: rnn (tanh, the default), gru or lstm (one layer, I = 1, PyTorch's default init ×3 so the gates are not linear, as bench/gated_ftle_peer.py; the state is h, or [h; c] of size 2H for lstm, and ftle-full's K is that size).")
    var cell: BenchCell = .rnn
    @Flag(inversion: .prefixedNo, help: "Flush subnormals to zero (BLAS then runs single-threaded in ftle's threads). Default: on for the training workloads and floss, as `ftle train`; off for the others, as the analyses run.")
    var flushSubnormals: Bool?
    @Flag(help: "Keep subnormals (IEEE arithmetic): the same as --no-flush-subnormals.") var keepSubnormals = false

    /// Whether the timed work flushes subnormals (see `flushSubnormals`).
    var flushes: Bool { keepSubnormals ? false : flushSubnormals ?? [.trainRowwise, .trainPermuted, .floss].contains(workload) }
    @Option(help: "Alignment samples (align, report).") var samples: Int = 25
    @Option(help: "Sensitivity images (perturb, report).") var images: Int = 4

    func validate() throws {
        try OptionLimits.check("--repeat", `repeat`, 1...1000)
        try OptionLimits.check("--hidden", hidden, 1...TrainingLimits.maximumHidden)
        try OptionLimits.check("--steps", steps, 1...10_000_000)
        try OptionLimits.check("--k", k, 1...TrainingLimits.maximumHidden)
        try OptionLimits.check("--batch", batch, 1...TrainingLimits.maximumBatchSize)
        try OptionLimits.check("--batches", batches, 1...1_000_000)
        try OptionLimits.check("--n", n, 1...65_536)
        if precision != "f32" && precision != "f64" { throw ValidationError("--precision must be f32 or f64") }
        if qr != "automatic" && qr != "householder" { throw ValidationError("--qr must be automatic or householder") }
        if let n = threads, !(1...ThreadOptions.maximum).contains(n) {
            throw ValidationError("--threads must be in 1...\(ThreadOptions.maximum) (got \(n))")
        }
        if cell != .rnn && workload != .ftleFull && workload != .ftlePartial {
            throw ValidationError("--cell applies to ftle-full and ftle-partial only")
        }
        if keepSubnormals && flushSubnormals != nil {
            throw ValidationError("--keep-subnormals and --\(flushSubnormals! ? "" : "no-")flush-subnormals: give one of them")
        }
        if samples < 1 { throw ValidationError("--samples must be at least 1 (got \(samples))") }
        if images < 1 { throw ValidationError("--images must be at least 1 (got \(images))") }
        switch workload {
        case .align, .report, .perturb:
            // These run on the bundled models and MNIST's 10 000 test images.
            if samples > 10_000 { throw ValidationError("--samples \(samples) exceeds the 10000 test images") }
            if images > 10_000 { throw ValidationError("--images \(images) exceeds the 10000 test images") }
        case .gemm:
            try OptionLimits.requireMemory(3 * Double(n) * Double(n) * 8, "--n \(n)")
        case .floss:
            let h = Double(hidden ?? 64), t = Double(steps ?? 20), kk = Double(k ?? 4)
            try OptionLimits.requireMemory(8 * (t + 1) * h * (kk + 7) + Double(batch) * t * h * 4 * 8, "--hidden \(Int(h)) with --steps \(Int(t))")
        case .ftleFull, .ftlePartial:
            let h = Double(hidden ?? (workload == .ftleFull ? 128 : 512)), t = Double(steps ?? 784)
            let kk = workload == .ftleFull ? h : Double(k ?? 32)
            // V, the frame and QR workspace (H×H, H×K), the trace's T×K log r and λ, T×H states.
            try OptionLimits.requireMemory(8 * (3 * h * h + 4 * h * kk + 2 * t * kk + t * h), "--hidden \(Int(h)) with --steps \(Int(t))")
        case .trainRowwise, .trainPermuted:
            let h = hidden ?? (workload == .trainRowwise ? 128 : 512), s = batches ?? (workload == .trainRowwise ? 40 : 6)
            let rowwise = workload == .trainRowwise
            let data = Double(s + 1) * Double(batch) * 784 * 4 * 2
            let step = TrainingLimits.trainingBytes(hidden: h, batch: batch, steps: rowwise ? 28 : 784, inputSize: rowwise ? 28 : 1, precision: .f32)
            try OptionLimits.requireMemory(data + step, "--batch \(batch) × --batches \(s) with H = \(h)")
        }
    }

    func run() throws {
        try reportingErrors {
            let isExperiment = [.align, .perturb, .report].contains(workload)
            let isTraining = workload == .trainRowwise || workload == .trainPermuted
            // As users get it: the experiments and `ftle train` default to one worker per core.
            let workers = threads ?? (isExperiment || isTraining ? availableCores : 1)
            if isExperiment || workers > 1 || flushes { useSingleThreadedBLAS() }
            try SubnormalMode.set(flushing: flushes)
            var result: [String: Any] = ["workload": workload.rawValue, "repeat": `repeat`, "blas_threads": blasThreads, "blas_core": blasCoreName,
                                         "threads": workers, "flush_subnormals": flushes]
            // Who chose the kernels: OpenBLAS, the user (OPENBLAS_CORETYPE), or ftle replacing a fallback.
            let environment = ProcessInfo.processInfo.environment
            result["blas_core_chosen_by"] = BLASKernelChoice.chosenBy(environment: environment).rawValue
            if let replaced = environment[BLASKernelChoice.markerVariable] { result["blas_core_replaced"] = replaced }
            switch workload {
            case .align, .perturb, .report:
                result.merge(try experiment(workers: workers)) { $1 }
            case .floss:
                result.merge(try flossWorkload()) { $1 }
            case .ftleFull, .ftlePartial:
                if cell != .rnn { result.merge(try gatedFTLE()) { $1 }; break }
                let h = hidden ?? (workload == .ftleFull ? 128 : 512), t = steps ?? 784
                let kk = workload == .ftleFull ? h : (k ?? 32)
                guard kk <= h else { throw UsageError("--k \(kk) exceeds --hidden \(h)") }
                var rng = SeededRandom(seed: 0)
                let model = RNNModel<Double>(u: .gaussian(rows: h, cols: 1, using: &rng),
                                             v: .gaussian(rows: h, cols: h, std: 1.5 / Double(h).squareRoot(), using: &rng),
                                             b: [Double](repeating: 0, count: h), w: Matrix(rows: 10, cols: h), c: [Double](repeating: 0, count: 10),
                                             task: .pixelwise)
                let x = (0..<t).map { _ in rng.nextNormal() }
                var best = Double.infinity, spectrum: [Double] = []
                for _ in 0..<`repeat` {
                    let start = monotonicSeconds()
                    let trace = try LyapunovTrace(model: model, sequence: x, steps: t, k: kk,
                                                  qrMethod: qr == "householder" ? .householder : .automatic)
                    best = min(best, monotonicSeconds() - start)
                    spectrum = trace.spectrum
                }
                // V·Q: 2H²K; Householder QR (geqrf + orgqr) of H×K: 4HK² − 4K³/3.
                let flops = Double(t) * (2 * Double(h * h * kk) + 4 * Double(h * kk * kk) - 4 * pow(Double(kk), 3) / 3)
                result.merge(["qr": qr, "hidden": h, "steps": t, "k": kk, "best_seconds": best, "gflops": flops / best / 1e9,
                              "lambda_1": spectrum.first ?? .nan, "lambda_k": spectrum.last ?? .nan]) { $1 }
            case .trainRowwise, .trainPermuted:
                let task: SequenceTask = workload == .trainRowwise ? .rowwise : .permuted(seed: 0)
                let h = hidden ?? (workload == .trainRowwise ? 128 : 512)
                let s = batches ?? (workload == .trainRowwise ? 40 : 6)
                var rng = SeededRandom(seed: 0)
                let data = (0..<(s + 1)).map { _ in
                    SequenceBatch<Float>(sequences: (0..<batch).map { _ in (0..<784).map { _ in Float(rng.nextUniform()) } },
                                         labels: (0..<batch).map { _ in Int(rng.next() % 10) }, steps: task.steps, inputSize: task.inputSize)
                }
                var best = Double.infinity, lastLoss = 0.0
                for _ in 0..<`repeat` {
                    var model = RNNModel<Float>(task: task, hidden: h, initialization: .pytorch, seed: 0)
                    var opt = OptimizerState<Float>(kind: .adam, learningRate: 1e-3, shapesOf: model)
                    var step = TrainingStep<Float>(hidden: h, inputSize: task.inputSize, steps: task.steps, batchSize: batch, shards: workers)
                    _ = step.run(data[0], model: &model, optimizer: &opt, clip: 0)   // warm-up
                    let start = monotonicSeconds()
                    for i in 1...s { lastLoss = step.run(data[i], model: &model, optimizer: &opt, clip: 0).loss }
                    best = min(best, monotonicSeconds() - start)
                }
                // forward 2H(H+I)BT, backward: Vᵀg 2H²BT, dV 2H²BT, dU 2HIBT.
                let tI = Double(task.steps), hD = Double(h), iD = Double(task.inputSize), bD = Double(batch)
                let flops = Double(s) * tI * bD * (6 * hD * hD + 4 * hD * iD)
                result.merge(["hidden": h, "steps": task.steps, "input": task.inputSize, "batch": batch, "batches": s,
                              "best_seconds": best, "samples_per_second": Double(s * batch) / best, "gflops": flops / best / 1e9,
                              "final_loss": lastLoss]) { $1 }
            case .gemm:
                var best = Double.infinity
                var rng = SeededRandom(seed: 0)
                if precision == "f64" {
                    let a = Matrix<Double>.gaussian(rows: n, cols: n, using: &rng), b = a
                    var c = Matrix<Double>(rows: n, cols: n)
                    for _ in 0..<`repeat` { let s0 = monotonicSeconds(); gemm(.none, a, .none, b, into: &c); best = min(best, monotonicSeconds() - s0) }
                } else {
                    let a = Matrix<Float>.gaussian(rows: n, cols: n, using: &rng), b = a
                    var c = Matrix<Float>(rows: n, cols: n)
                    for _ in 0..<`repeat` { let s0 = monotonicSeconds(); gemm(.none, a, .none, b, into: &c); best = min(best, monotonicSeconds() - s0) }
                }
                result.merge(["n": n, "precision": precision, "best_seconds": best, "gflops": 2 * pow(Double(n), 3) / best / 1e9]) { $1 }
            }
            print(jsonText(result), terminator: "")
        }
    }
}
