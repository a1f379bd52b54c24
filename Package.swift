// swift-tools-version:6.0
// ftle — a terminal explorer for the finite-time Lyapunov structure of recurrent networks.
import PackageDescription

let package = Package(
    name: "ftle",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "ftle", targets: ["ftle"]),
        // The parsers of outside data, for the separate fuzzing package in Fuzz/.
        .library(name: "FTLEParsers", targets: ["MNIST", "RNN", "TerminalUI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System libraries: a module map and a one-line shim header each, nothing else.
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CLAPACKE", pkgConfig: "lapacke",
                       providers: [.apt(["liblapacke-dev"])]),
        .systemLibrary(name: "CNCurses", pkgConfig: "ncursesw",
                       providers: [.apt(["libncursesw5-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),

        // The calling thread's flush-to-zero switch (a few lines of C: Swift cannot set MXCSR/FPCR).
        .target(name: "CFloatMode"),
        // The only module that touches BLAS/LAPACK pointers.
        .target(name: "Linalg", dependencies: ["CBLAS", "CLAPACKE", "CFloatMode"]),
        // IDX + gzip reading and sequence views.
        .target(name: "MNIST", dependencies: ["Linalg", "CZlib"]),
        // Model, forward trace, BPTT, optimizers, trainer, safetensors / npy.
        .target(name: "RNN", dependencies: ["Linalg", "MNIST"]),
        // Q/R stepper, FTLE traces, spectrum statistics, gradient through Q/R.
        .target(name: "Lyapunov", dependencies: ["Linalg", "RNN"]),
        // Paper experiments: alignment, sensitivity, statistics, report.
        .target(name: "Analysis", dependencies: ["Linalg", "MNIST", "RNN", "Lyapunov", "Statistics", "Figures"]),
        // Special functions, Welch/z tests, histograms (pure Swift).
        .target(name: "Statistics"),
        // A small SVG writer for the paper's figures.
        .target(name: "Figures"),
        // Sweeps: grids of training jobs as independent tasks for GNU parallel / xargs / Slurm, results collected.
        .target(name: "Sweep", dependencies: ["RNN", "Figures"]),
        // Cell grid, widgets, themes, keys; the one ncurses backend file.
        .target(name: "TerminalUI", dependencies: ["CNCurses"]),
        // The interactive explorer: app state, actions, panes, engine and training workers.
        .target(name: "Explorer", dependencies: ["TerminalUI", "Linalg", "MNIST", "RNN", "Lyapunov", "Analysis", "Statistics"]),
        .executableTarget(name: "ftle", dependencies: [
            "Linalg", "MNIST", "RNN", "Lyapunov", "Analysis", "Explorer", "TerminalUI", "Sweep", "Statistics", "Figures",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .target(name: "TestSupport", dependencies: ["Linalg"], path: "Tests/TestSupport"),
        .testTarget(name: "LinalgTests", dependencies: ["Linalg", "TestSupport"]),
        .testTarget(name: "MNISTTests", dependencies: ["MNIST", "TestSupport"]),
        .testTarget(name: "RNNTests", dependencies: ["RNN", "Linalg", "MNIST", "TestSupport"]),
        .testTarget(name: "TerminalUITests", dependencies: ["TerminalUI", "TestSupport"]),
        .testTarget(name: "AnalysisTests", dependencies: ["Analysis", "Lyapunov", "RNN", "Linalg", "MNIST", "Statistics", "TestSupport"]),
        .testTarget(name: "StatisticsTests", dependencies: ["Statistics"]),
        .testTarget(name: "FiguresTests", dependencies: ["Figures"]),
        .testTarget(name: "ExplorerTests", dependencies: ["TestSupport", "Explorer", "TerminalUI", "Linalg", "MNIST", "RNN", "Lyapunov", "Analysis", "Statistics"],
                    exclude: ["Golden"]),
        // Runs the built ftle binary: bad inputs (exact message + exit code) and signals.
        .testTarget(name: "CLITests", dependencies: ["TestSupport", "RNN", "MNIST", "Lyapunov", "Linalg"], exclude: ["Golden"]),
        .testTarget(name: "SweepTests", dependencies: ["Sweep", "RNN", "Figures"]),
        .testTarget(name: "LyapunovTests", dependencies: ["Lyapunov", "RNN", "Linalg", "MNIST", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
