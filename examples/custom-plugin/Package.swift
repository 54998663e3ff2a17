// swift-tools-version: 6.0
// A third-party plugin without forking Kiln: this package depends on Kiln's library products, adds one optimizer
// (`optim.lion`), and builds its own `kiln` (named `kiln-lion`) with the built-in plugins plus that one.
//
//     swift build -c release
//     .build/release/kiln-lion plugins optim.lion
//     .build/release/kiln-lion run lion-spirals.yaml
import PackageDescription

let package = Package(
    name: "KilnLion",
    // Named `kiln-lion`: a product `kiln` would collide with Kiln's own executable in the same build folder.
    products: [.executable(name: "kiln-lion", targets: ["KilnWithLion"])],
    dependencies: [
        // A released plugin would name Kiln's git URL and a version here.
        .package(name: "Kiln", path: "../..")
    ],
    targets: [
        .target(
            name: "LionOptimizer",
            dependencies: [
                .product(name: "Experiment", package: "Kiln"),
                .product(name: "PluginAPI", package: "Kiln"),
                .product(name: "TensorNN", package: "Kiln"),
            ]),
        .executableTarget(
            name: "KilnWithLion",
            dependencies: [
                "LionOptimizer",
                .product(name: "KilnCLI", package: "Kiln"),
                .product(name: "Experiment", package: "Kiln"),
            ]),
    ]
)
