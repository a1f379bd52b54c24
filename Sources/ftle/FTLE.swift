import ArgumentParser

/// The `ftle` command: a terminal explorer for the finite-time Lyapunov structure of
/// recurrent networks, and the CLI behind every number it shows.
@main
struct FTLE: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "ftle",
        abstract: "Explore the finite-time Lyapunov structure of tanh RNNs trained on sequential MNIST.",
        discussion: """
        Conventions: D_t = ∂h_t/∂h_{t−1} = diag(1 − h_t²)·V; tangent frame Q_t R_t = D_t Q_{t−1} \
        with diag(R_t) ≥ 0; finite-time exponents λ_k(t) = (1/t) Σ_{s≤t} ln r_s^k in natural log \
        (bits with --log2).
        """,
        version: version,
        subcommands: [Explore.self, Train.self, Eval.self, Predict.self, Spectrum.self, Gradient.self, Align.self, Perturb.self, Report.self, Bench.self],
        defaultSubcommand: Explore.self
    )
}
