import Foundation
import PluginAPI
import TensorEngine

/// `data.mnist`: MNIST or Fashion-MNIST from their four IDX files (plain or gzip'd) in one directory.
struct MNISTPlugin: DatasetPlugin {
    struct Config: PluginConfig {
        var directory = ""
        var variant = MNIST.Variant.mnist
        var scale = true
        static let documentation: [String: FieldDoc] = [
            "directory": FieldDoc(
                "Directory holding train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and "
                    + "t10k-labels-idx1-ubyte (each optionally .gz), relative to the spec, inside the data roots.",
                required: true, path: .existingDirectory),
            "variant": FieldDoc("mnist or fashion (only the class names differ).", choices: ["mnist", "fashion"]),
            "scale": FieldDoc("Map pixel values from 0…255 to [0, 1]."),
        ]
    }
    static let descriptor = PluginDescriptor(
        id: "data.mnist", kind: .dataset, version: "1.0.0",
        summary: "MNIST or Fashion-MNIST from IDX files, images [N, 1, 28, 28]", config: Config.self)
    static let provides = DataKind.labeled
    static func makeDataset(_ c: Config, using rng: inout RandomGenerator) throws -> Dataset {
        .labeled(try MNIST.load(directory: URL(fileURLWithPath: c.directory), variant: c.variant, scale: c.scale))
    }
}

/// `data.cifar10`: CIFAR-10 from its binary batches.
struct CIFAR10Plugin: DatasetPlugin {
    struct Config: PluginConfig {
        var directory = ""
        static let documentation: [String: FieldDoc] = [
            "directory": FieldDoc(
                "Directory holding data_batch_1.bin … data_batch_5.bin and test_batch.bin (cifar-10-batches-bin), "
                    + "relative to the spec, inside the data roots.",
                required: true, path: .existingDirectory)
        ]
    }
    static let descriptor = PluginDescriptor(
        id: "data.cifar10", kind: .dataset, version: "1.0.0",
        summary: "CIFAR-10 from its binary batches, images [N, 3, 32, 32] in [0, 1]", config: Config.self)
    static let provides = DataKind.labeled
    static func exampleShape(_ c: Config) -> [Int]? { [3, 32, 32] }
    static func makeDataset(_ c: Config, using rng: inout RandomGenerator) throws -> Dataset {
        .labeled(try CIFAR.load(directory: URL(fileURLWithPath: c.directory), variant: .cifar10))
    }
}

/// `data.cifar100`: CIFAR-100 from its binary files, with fine or coarse labels.
struct CIFAR100Plugin: DatasetPlugin {
    enum Labels: String, Codable, CaseIterable, Sendable { case fine, coarse }
    struct Config: PluginConfig {
        var directory = ""
        var labels = Labels.fine
        static let documentation: [String: FieldDoc] = [
            "directory": FieldDoc(
                "Directory holding train.bin and test.bin (cifar-100-binary), relative to the spec, inside the data "
                    + "roots.",
                required: true, path: .existingDirectory),
            "labels": FieldDoc("fine (100 classes) or coarse (20 super-classes).", choices: Labels.self),
        ]
    }
    static let descriptor = PluginDescriptor(
        id: "data.cifar100", kind: .dataset, version: "1.0.0",
        summary: "CIFAR-100 from its binary files, fine or coarse labels", config: Config.self)
    static let provides = DataKind.labeled
    static func exampleShape(_ c: Config) -> [Int]? { [3, 32, 32] }
    static func makeDataset(_ c: Config, using rng: inout RandomGenerator) throws -> Dataset {
        .labeled(
            try CIFAR.load(directory: URL(fileURLWithPath: c.directory), variant: .cifar100(fine: c.labels == .fine)))
    }
}
