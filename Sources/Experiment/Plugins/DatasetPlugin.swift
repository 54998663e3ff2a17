public import PluginAPI
public import TensorEngine

/// A source of examples for the spec's `data:` slot (`data.spirals`, `data.cifar10`).
///
/// ```swift
/// struct MoonsPlugin: DatasetPlugin {
///     static let descriptor = PluginDescriptor(
///         id: "data.moons", kind: .dataset, version: "1.0.0", summary: "Two interleaved half circles",
///         config: MoonsConfig.self)
///     static let provides = DataKind.labeled
///     static func makeDataset(_ config: MoonsConfig, using rng: inout RandomGenerator) throws -> Dataset {
///         .labeled(Moons(config).make(using: &rng))
///     }
/// }
/// ```
public protocol DatasetPlugin: KilnPlugin {
    /// The plugin's configuration; the descriptor's `config` must be this type.
    associatedtype Config: PluginConfig
    /// The kind of dataset ``makeDataset(_:using:)`` returns.
    static var provides: DataKind { get }
    /// Generates or loads the data. Paths in `config` are absolute and were checked against the data roots.
    /// `rng` is the run's data stream (the same for every attempt of a run, so a resumed run sees the same data).
    /// Throws ``DatasetError`` (or any error) for files that do not load; the run fails as a plugin error.
    static func makeDataset(_ config: Config, using rng: inout RandomGenerator) throws -> Dataset
    /// The shape of one example when `config` alone tells it (a generator's sizes, a fixed-format file), so that
    /// validation can reject a model that cannot read it; nil (the default) when only loading tells.
    static func exampleShape(_ config: Config) -> [Int]?
}

extension DatasetPlugin {
    /// Unknown until the data is loaded.
    public static func exampleShape(_ config: Config) -> [Int]? { nil }

    static func exampleShape(erased config: any PluginConfig) -> [Int]? {
        (config as? Config).flatMap { exampleShape($0) }
    }

    static func makeDataset(erased config: any PluginConfig, using rng: inout RandomGenerator) throws -> Dataset {
        try makeDataset(castConfig(config, of: Self.self), using: &rng)
    }
}

/// `config` as the plugin's own type; a mismatch is a bug in the catalog, reported as a plugin error.
func castConfig<C: PluginConfig>(_ config: any PluginConfig, of plugin: (some KilnPlugin).Type) throws(RunError)
    -> C
{
    guard let typed = config as? C else {
        throw .plugin(
            id: plugin.descriptor.id, message: "configuration of type \(type(of: config)) where \(C.self) was expected")
    }
    return typed
}
