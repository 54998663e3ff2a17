/// The plugins compiled into `kiln`: pass this list (plus your own) to `KilnCLI.main(plugins:)`.
public enum BuiltinPlugins {
    /// Every built-in plugin type.
    public static let all: [any KilnPlugin.Type] = [
        // Datasets: generated, then loaded from files.
        BlobsPlugin.self, SpiralsPlugin.self, PatternImagesPlugin.self, SBMPlugin.self, SyntheticTextPlugin.self,
        MNISTPlugin.self, CIFAR10Plugin.self, CIFAR100Plugin.self, NPZPlugin.self, NPYPlugin.self, CSVPlugin.self,
        GraphFilesPlugin.self, TextFilePlugin.self,
        // Models: on examples, on images, on a graph's nodes.
        MLPPlugin.self, ConvNetPlugin.self, ResNetPlugin.self, LargeKernelCNNPlugin.self, GCNPlugin.self,
        GraphSAGEPlugin.self,
        // Optimizers, method, evaluator, stage.
        SGDPlugin.self, AdamPlugin.self, AdamWPlugin.self, SupervisedPlugin.self, AccuracyPlugin.self,
        MagnitudePrunePlugin.self,
        // Language modelling on text.
        GPTPlugin.self, NextTokenPlugin.self, PerplexityPlugin.self,
    ]
}
