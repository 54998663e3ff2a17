import Foundation
import PluginAPI
import TensorEngine

/// `data.graph-files`: a node-classification graph from an edge list, a feature table and a label list.
struct GraphFilesPlugin: DatasetPlugin {
    struct Config: PluginConfig {
        var edges = ""
        var features = ""
        var labels = ""
        var trainFraction = 0.6
        var validationFraction = 0.2
        var symmetrize = true
        static let documentation: [String: FieldDoc] = [
            "edges": FieldDoc(
                "Edge list: one 'source destination' pair of zero-based node ids per line.", required: true,
                path: .existingFile),
            "features": FieldDoc("One row of numbers per node.", required: true, path: .existingFile),
            "labels": FieldDoc(
                "One integer class id per line, one line per node.", required: true, path: .existingFile),
            "train_fraction": FieldDoc(
                "Share of each class's nodes in the train mask.", range: FieldRange.greaterThan(0).below(1)),
            "validation_fraction": FieldDoc(
                "Share of each class's nodes in the validation mask.", range: FieldRange.atLeast(0).below(1)),
            "symmetrize": FieldDoc("Add reverse edges and drop duplicates and self-loops."),
        ]
        func validate(_ v: inout ConfigValidator) {
            v.check(
                trainFraction + validationFraction < 1, key: "validation_fraction",
                "train_fraction + validation_fraction must leave nodes for the test mask")
        }
    }
    static let descriptor = PluginDescriptor(
        id: "data.graph-files", kind: .dataset, version: "1.0.0",
        summary: "A node-classification graph from edge, feature and label files", config: Config.self)
    static let provides = DataKind.graph
    static func makeDataset(_ c: Config, using rng: inout RandomGenerator) throws -> Dataset {
        .graph(
            try GraphFiles.load(
                edges: URL(fileURLWithPath: c.edges), features: URL(fileURLWithPath: c.features),
                labels: URL(fileURLWithPath: c.labels), trainFraction: c.trainFraction,
                validationFraction: c.validationFraction, symmetrize: c.symmetrize, using: &rng))
    }
}

/// `data.text-file`: a text file read as bytes.
struct TextFilePlugin: DatasetPlugin {
    struct Config: PluginConfig {
        var file = ""
        var validationFraction = 0.1
        var context = 128
        var stride = 16
        static let documentation: [String: FieldDoc] = [
            "context": TextWindowDocs.context,
            "stride": TextWindowDocs.stride,
            "file": FieldDoc(
                "The text file, relative to the spec, inside the data roots.", required: true, path: .existingFile),
            "validation_fraction": FieldDoc(
                "Share of the bytes, at the end, held out.", range: FieldRange.greaterThan(0).below(1)),
        ]
    }
    static let descriptor = PluginDescriptor(
        id: "data.text-file", kind: .dataset, version: "1.0.0", summary: "A text file as bytes for byte-level models",
        config: Config.self)
    static let provides = DataKind.text
    static func makeDataset(_ c: Config, using rng: inout RandomGenerator) throws -> Dataset {
        var text = try TextFile.load(URL(fileURLWithPath: c.file), validationFraction: c.validationFraction)
        text.windowing = TextWindowing(context: c.context, stride: c.stride)
        return .text(text)
    }
}
