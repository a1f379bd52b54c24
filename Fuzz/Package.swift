// swift-tools-version:6.0
// Fuzz targets for ftle's parsers of outside data. A separate package so that the normal
// build and `swift test` of the main package never need the fuzzing toolchain flags.
//
// Build (see run.sh):
//   swift build -c release -Xswiftc -sanitize=fuzzer,address 
// Each product is a libFuzzer binary (LLVMFuzzerTestOneInput, run by
// LLVMFuzzerRunDriver from main.swift).
import Foundation
import PackageDescription

// The main package is "..", whose identity is its folder's name (main, or a worktree's).
let mainPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()
let parsers: Target.Dependency = .product(name: "FTLEParsers", package: mainPackage)

let package = Package(
    name: "ftle-fuzz",
    dependencies: [.package(path: "..")],
    targets: [
        .target(name: "FuzzDriver"),
        .executableTarget(name: "fuzz-idx", dependencies: [parsers, "FuzzDriver"]),
        .executableTarget(name: "fuzz-gzip", dependencies: [parsers, "FuzzDriver"]),
        .executableTarget(name: "fuzz-safetensors", dependencies: [parsers, "FuzzDriver"]),
        .executableTarget(name: "fuzz-npy", dependencies: [parsers, "FuzzDriver"]),
        .executableTarget(name: "fuzz-theme", dependencies: [parsers, "FuzzDriver"]),
        .executableTarget(name: "fuzz-checkpoint", dependencies: [parsers, "FuzzDriver"]),
        .executableTarget(name: "fuzz-history", dependencies: [parsers, "FuzzDriver"]),
        .executableTarget(name: "fuzz-declared-sizes", dependencies: [parsers, "FuzzDriver"]),
    ],
    swiftLanguageModes: [.v6]
)
