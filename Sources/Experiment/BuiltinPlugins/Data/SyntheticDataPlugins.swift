import PluginAPI
import TensorEngine

// The generated datasets: each configuration mirrors its generator's fields, with the ranges the generator's
// preconditions need, so a spec that validates never trips one.

/// `data.blobs`: isotropic Gaussian clusters, one per class (``GaussianBlobs``).
struct BlobsPlugin: DatasetPlugin {
    struct Config: PluginConfig {
        var classes = 3
        var dims = 2
        var spread = 1.0
        var centerSpread = 4.0
        var trainPerClass: Int? = nil
        var testPerClass: Int? = nil
        var train: Int? = nil
        var test: Int? = nil
        var imbalanceRatio = 1.0
        static let documentation: [String: FieldDoc] = [
            "classes": FieldDoc("Number of clusters (classes).", range: .atLeast(2)),
            "dims": FieldDoc("Input dimension.", range: .atLeast(1)),
            "spread": FieldDoc("Standard deviation of each cluster around its centre.", range: .nonNegative),
            "center_spread": FieldDoc(
                "Standard deviation of the centres around the origin; larger is easier.", range: .nonNegative),
            "train_per_class": FieldDoc(
                "Training examples of the largest class; 200 when neither this nor train is set.",
                range: .atLeast(1), type: .integer),
            "test_per_class": FieldDoc(
                "Test examples per class (the test split is balanced); 100 when neither this nor test is set.",
                range: .atLeast(1), type: .integer),
            "train": SplitSizes.trainDoc(perClassKey: "train_per_class"),
            "test": SplitSizes.testDoc(perClassKey: "test_per_class"),
            "imbalance_ratio": FieldDoc(
                "Smallest over largest class in the training split; 1 is balanced.",
                range: FieldRange.greaterThan(0).upTo(1)),
        ]
        var sizes: SplitSizes {
            SplitSizes(
                classes: classes, trainPerClass: trainPerClass, testPerClass: testPerClass, train: train, test: test,
                imbalanceRatio: imbalanceRatio, trainPerClassKey: "train_per_class", testPerClassKey: "test_per_class")
        }
        func validate(_ v: inout ConfigValidator) { sizes.validate(&v) }
    }
    static let descriptor = PluginDescriptor(
        id: "data.blobs", kind: .dataset, version: "1.1.0",
        summary: "Gaussian clusters in any dimension, optionally long-tailed",
        config: Config.self)
    static let provides = DataKind.labeled
    static func exampleShape(_ c: Config) -> [Int]? { [c.dims] }
    static func makeDataset(_ c: Config, using rng: inout RandomGenerator) throws -> Dataset {
        .labeled(
            GaussianBlobs(classes: c.classes, dims: c.dims, spread: c.spread, centerSpread: c.centerSpread)
                .make(trainCounts: c.sizes.trainCounts, testCounts: c.sizes.testCounts, using: &rng))
    }
}

/// `data.spirals`: interleaved 2-D spiral arms (``Spirals``).
struct SpiralsPlugin: DatasetPlugin {
    struct Config: PluginConfig {
        var classes = 2
        var pointsPerClass: Int? = nil
        var testPointsPerClass: Int? = nil
        var train: Int? = nil
        var test: Int? = nil
        var noise = 0.05
        var turns = 1.5
        var imbalanceRatio = 1.0
        static let documentation: [String: FieldDoc] = [
            "classes": FieldDoc("Number of spiral arms (classes).", range: .atLeast(2)),
            "points_per_class": FieldDoc(
                "Training points on the largest arm; 200 when neither this nor train is set.", range: .atLeast(1),
                type: .integer),
            "test_points_per_class": FieldDoc(
                "Test points on each arm; 100 when neither this nor test is set.", range: .atLeast(1),
                type: .integer),
            "train": SplitSizes.trainDoc(perClassKey: "points_per_class"),
            "test": SplitSizes.testDoc(perClassKey: "test_points_per_class"),
            "noise": FieldDoc("Noise standard deviation, in units of the outer radius.", range: .nonNegative),
            "turns": FieldDoc("Revolutions of each arm.", range: .positive),
            "imbalance_ratio": FieldDoc(
                "Smallest over largest arm in the training split; 1 is balanced.",
                range: FieldRange.greaterThan(0).upTo(1)),
        ]
        var sizes: SplitSizes {
            SplitSizes(
                classes: classes, trainPerClass: pointsPerClass, testPerClass: testPointsPerClass, train: train,
                test: test, imbalanceRatio: imbalanceRatio, trainPerClassKey: "points_per_class",
                testPerClassKey: "test_points_per_class")
        }
        func validate(_ v: inout ConfigValidator) { sizes.validate(&v) }
    }
    static let descriptor = PluginDescriptor(
        id: "data.spirals", kind: .dataset, version: "1.1.0", summary: "Interleaved 2-D spirals", config: Config.self)
    static let provides = DataKind.labeled
    static func exampleShape(_ c: Config) -> [Int]? { [2] }
    static func makeDataset(_ c: Config, using rng: inout RandomGenerator) throws -> Dataset {
        .labeled(
            Spirals(classes: c.classes, noise: c.noise, turns: c.turns)
                .make(trainCounts: c.sizes.trainCounts, testCounts: c.sizes.testCounts, using: &rng))
    }
}

/// `data.images`: procedural pattern images with controllable difficulty and class imbalance (``PatternImages``).
struct PatternImagesPlugin: DatasetPlugin {
    struct Config: PluginConfig {
        var classes = 10
        var channels = 3
        var height = 32
        var width = 32
        var trainPerClass = 500
        var testPerClass = 100
        var imbalanceRatio = 1.0
        var difficulty = 0.3
        static let documentation: [String: FieldDoc] = [
            "classes": FieldDoc("Number of classes; each gets its own pattern.", range: .atLeast(2)),
            "channels": FieldDoc("1 (grayscale) or 3 (colour).", range: .between(1, 3)),
            "height": FieldDoc("Image height in pixels.", range: .atLeast(2)),
            "width": FieldDoc("Image width in pixels.", range: .atLeast(2)),
            "train_per_class": FieldDoc("Training images of the largest class.", range: .atLeast(1)),
            "test_per_class": FieldDoc("Test images per class (the test split is balanced).", range: .atLeast(1)),
            "imbalance_ratio": FieldDoc(
                "Smallest over largest class in the training split (long-tailed below 1); 1 is balanced.",
                range: FieldRange.greaterThan(0).upTo(1)),
            "difficulty": FieldDoc(
                "0 is nearly noise-free and separable, 1 heavily overlapping.", range: .unitInterval),
        ]
        func validate(_ v: inout ConfigValidator) {
            v.check(channels == 1 || channels == 3, key: "channels", "must be 1 or 3")
        }
    }
    static let descriptor = PluginDescriptor(
        id: "data.images", kind: .dataset, version: "1.0.0",
        summary: "Procedural pattern images [N, C, H, W] with class imbalance", config: Config.self)
    static let provides = DataKind.labeled
    static func exampleShape(_ c: Config) -> [Int]? { [c.channels, c.height, c.width] }
    static func makeDataset(_ c: Config, using rng: inout RandomGenerator) throws -> Dataset {
        .labeled(
            PatternImages(
                classes: c.classes, channels: c.channels, height: c.height, width: c.width,
                trainPerClass: c.trainPerClass,
                testPerClass: c.testPerClass, imbalanceRatio: c.imbalanceRatio, difficulty: c.difficulty
            ).make(using: &rng))
    }
}

/// `data.sbm`: a contextual stochastic block model graph (``ContextualSBM``).
struct SBMPlugin: DatasetPlugin {
    struct Config: PluginConfig {
        var classes = 4
        var maxNodesPerClass = 250
        var imbalanceRatio = 1.0
        var homophily = [0.8]
        var averageDegree = 8.0
        var featureDims = 16
        var featureSignal = 1.0
        var featureNoise = 1.0
        var trainFraction = 0.6
        var validationFraction = 0.2
        static let documentation: [String: FieldDoc] = [
            "classes": FieldDoc("Number of classes (blocks).", range: .atLeast(2)),
            "max_nodes_per_class": FieldDoc("Nodes in the largest class.", range: .atLeast(2)),
            "imbalance_ratio": FieldDoc(
                "Smallest over largest class; 1 is balanced.", range: FieldRange.greaterThan(0).upTo(1)),
            "homophily": FieldDoc(
                "Share of each class's edges that stay inside it: one value for all classes, or one per class.",
                range: .unitInterval),
            "average_degree": FieldDoc("Mean node degree.", range: .nonNegative),
            "feature_dims": FieldDoc("Width of the node features.", range: .atLeast(1)),
            "feature_signal": FieldDoc(
                "Standard deviation of the class centroids; larger is easier.", range: .nonNegative),
            "feature_noise": FieldDoc("Standard deviation of features around their centroid.", range: .nonNegative),
            "train_fraction": FieldDoc(
                "Share of each class's nodes in the train mask.", range: FieldRange.greaterThan(0).below(1)),
            "validation_fraction": FieldDoc(
                "Share of each class's nodes in the validation mask.", range: FieldRange.atLeast(0).below(1)),
        ]
        func validate(_ v: inout ConfigValidator) {
            v.check(
                homophily.count == 1 || homophily.count == classes, key: "homophily",
                "must hold one value or one per class (\(classes))")
            v.check(
                trainFraction + validationFraction < 1, key: "validation_fraction",
                "train_fraction + validation_fraction must leave nodes for the test mask")
        }
    }
    static let descriptor = PluginDescriptor(
        id: "data.sbm", kind: .dataset, version: "1.0.0",
        summary: "Contextual stochastic block model graph with per-class homophily", config: Config.self)
    static let provides = DataKind.graph
    static func makeDataset(_ c: Config, using rng: inout RandomGenerator) throws -> Dataset {
        .graph(
            ContextualSBM(
                classes: c.classes, maxNodesPerClass: c.maxNodesPerClass, imbalanceRatio: c.imbalanceRatio,
                homophily: c.homophily, averageDegree: c.averageDegree, featureDims: c.featureDims,
                featureSignal: c.featureSignal, featureNoise: c.featureNoise, trainFraction: c.trainFraction,
                validationFraction: c.validationFraction
            ).make(using: &rng))
    }
}

/// `data.text`: byte-level text from the built-in prose and a fact grammar (``SyntheticText``).
struct SyntheticTextPlugin: DatasetPlugin {
    struct Config: PluginConfig {
        var source = SyntheticText.Source.grammar
        var sentences = 2000
        var repeats = 1
        var validationFraction = 0.1
        var context = 128
        var stride = 16
        static let documentation: [String: FieldDoc] = [
            "context": TextWindowDocs.context,
            "stride": TextWindowDocs.stride,
            "source": FieldDoc(
                "builtin (the prose), grammar (fact sentences) or mixed (both).",
                choices: ["builtin", "grammar", "mixed"]),
            "sentences": FieldDoc("Sentences to generate for grammar and mixed.", range: .nonNegative),
            "repeats": FieldDoc("Copies of the built-in prose for builtin and mixed.", range: .nonNegative),
            "validation_fraction": FieldDoc(
                "Share of the bytes, at the end, held out.", range: FieldRange.greaterThan(0).below(1)),
        ]
        func validate(_ v: inout ConfigValidator) {
            v.check(
                source == .builtin || sentences > 0, key: "sentences",
                "must be at least 1 for source \(source.rawValue)")
            v.check(
                source == .grammar || repeats > 0, key: "repeats", "must be at least 1 for source \(source.rawValue)")
        }
    }
    static let descriptor = PluginDescriptor(
        id: "data.text", kind: .dataset, version: "1.0.0",
        summary: "Byte-level text: built-in prose and fact sentences",
        config: Config.self)
    static let provides = DataKind.text
    static func makeDataset(_ c: Config, using rng: inout RandomGenerator) throws -> Dataset {
        var text = SyntheticText(
            source: c.source, sentences: c.sentences, repeats: c.repeats, validationFraction: c.validationFraction
        ).make(using: &rng)
        text.windowing = TextWindowing(context: c.context, stride: c.stride)
        return .text(text)
    }
}

/// The documentation of the windowing keys the text datasets share.
enum TextWindowDocs {
    static let context = FieldDoc(
        "Bytes a model reads per example; each example is a window of context + 1 bytes (the last only a target).",
        range: .atLeast(1))
    static let stride = FieldDoc(
        "Bytes between the starts of consecutive training windows (1 = every offset); validation windows start "
            + "every context bytes, so each held-out byte is predicted once.",
        range: .atLeast(1))
}
