// swift-tools-version: 6.0
import PackageDescription

/// Kernels for the build machine's CPU when asked (`KILN_TARGET_CPU=native`, which scripts/run and scripts/test
/// set): the loops written in Swift then use its full vector width (AVX-512 here) instead of baseline x86-64's
/// SSE2, which made the optimizer steps 15–25 % faster. Such a binary runs only on CPUs like the build machine's,
/// so a plain `swift build` stays portable.
let targetCPU: [SwiftSetting] = Context.environment["KILN_TARGET_CPU"].map { cpu in
    [.unsafeFlags(["-target-cpu", cpu])]
} ?? []

/// House settings (STYLE.md §2): Swift 6 mode with strict concurrency, plus upcoming features.
let strict: [SwiftSetting] =
    [
        .enableUpcomingFeature("ExistentialAny"),
        .enableUpcomingFeature("MemberImportVisibility"),
        .enableUpcomingFeature("InternalImportsByDefault"),
    ] + targetCPU


let package = Package(
    name: "Kiln",
    products: [
        .executable(name: "kiln", targets: ["kiln"]),
        // What `kiln serve` runs as: the daemon without the engine (`kiln serve` execs it from beside itself).
        .executable(name: "kilnd", targets: ["kilnd"]),
        .library(name: "TensorEngine", targets: ["TensorEngine"]),
        .library(name: "TensorNN", targets: ["TensorNN"]),
        .library(name: "KilnCLI", targets: ["KilnCLI"]),
        .library(name: "PluginAPI", targets: ["PluginAPI"]),
        .library(name: "Spec", targets: ["Spec"]),
        .library(name: "Experiment", targets: ["Experiment"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .systemLibrary(name: "CDNNL", path: "Sources/CDNNL", providers: [.apt(["libdnnl-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "TensorEngine", dependencies: ["CDNNL"], swiftSettings: strict),
        // The SIGTERM/SIGINT handler of `kiln run`, in C so that it is async-signal-safe.
        .target(name: "CStopSignals"),
        .target(name: "DurableFile", swiftSettings: strict),
        .target(name: "TensorNN", dependencies: ["TensorEngine", "DurableFile"], swiftSettings: strict),
        .target(name: "PluginAPI", dependencies: ["DurableFile"], swiftSettings: strict),
        .target(
            name: "Spec", dependencies: ["PluginAPI", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict),
        .target(
            name: "KilnCLI",
            dependencies: [
                "TensorEngine", "TensorNN", "PluginAPI", "Spec", "Experiment", "DaemonCore", "KilnServe",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .target(
            name: "Experiment",
            dependencies: [
                "TensorEngine", "TensorNN", "PluginAPI", "Spec", "CZlib", "CStopSignals",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .executableTarget(
            name: "kiln", dependencies: ["KilnCLI", "Experiment", "OptimSPAM", "Robustness"], swiftSettings: strict),
        // `kiln serve`'s command-line front (settings, logging, the service group), without the engine, so that
        // the daemon process maps none of it: shared by `kiln serve` (in process) and `kilnd`.
        .target(
            name: "KilnServe",
            dependencies: [
                "DaemonCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .executableTarget(
            name: "kilnd",
            dependencies: [
                "KilnServe", "DaemonCore", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict),
        .target(
            name: "DaemonCore",
            dependencies: [
                "PluginAPI", "Spec",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict),

        // Method plugins (STYLE.md §1): explicit paths, since Plugins/ is SwiftPM's package-plugin folder.
        .target(
            name: "OptimSPAM", dependencies: ["TensorEngine", "TensorNN", "PluginAPI", "Experiment"],
            path: "Plugins/OptimSPAM", exclude: ["README.md"], swiftSettings: strict),
        .target(
            name: "Robustness", dependencies: ["TensorEngine", "TensorNN", "PluginAPI", "Experiment"],
            path: "Plugins/Robustness", exclude: ["README.md"], swiftSettings: strict),

        .target(name: "TestSupport", dependencies: ["TensorEngine"], path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(name: "TensorEngineTests", dependencies: ["TensorEngine", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "TensorNNTests", dependencies: ["TensorNN", "Experiment", "TestSupport"],
            resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(name: "SpecTests", dependencies: ["Spec", "PluginAPI"], swiftSettings: strict),
        .testTarget(
            name: "ExperimentTests",
            // The method plugins too, only to check every shipped plugin's defaults (PluginDefaultsTests).
            dependencies: ["Experiment", "TestSupport", "TensorNN", "PluginAPI", "Spec", "OptimSPAM", "Robustness"],
            swiftSettings: strict),
        .testTarget(
            name: "OptimSPAMTests",
            dependencies: ["OptimSPAM", "TensorEngine", "TensorNN", "Experiment", "PluginAPI", "Spec"],
            resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(
            name: "RobustnessTests",
            dependencies: ["Robustness", "TensorEngine", "TensorNN", "Experiment", "PluginAPI", "TestSupport"],
            resources: [.copy("Fixtures")], swiftSettings: strict),
        // Drives the real `kiln` executable as a child process (built with the tests by `swift build --build-tests`).
        .testTarget(
            name: "KilnCLITests", dependencies: ["TensorEngine", "TensorNN", "PluginAPI"], swiftSettings: strict),
        .testTarget(
            name: "DaemonCoreTests",
            dependencies: [
                "DaemonCore", "PluginAPI", "Spec",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "ConvTests", dependencies: ["TensorEngine", "TestSupport"],
            resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(
            name: "ModelTests", dependencies: ["TensorNN", "TensorEngine", "TestSupport"],
            resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(
            name: "VisionTests", dependencies: ["TensorNN", "TensorEngine", "TestSupport"],
            resources: [.copy("Fixtures")], swiftSettings: strict),
        // Drives the built `kiln` executable as a separate process; imports nothing of ours.
        .testTarget(name: "DaemonIntegrationTests", swiftSettings: strict),
    ]
)
