public import PluginAPI

/// The plugin types a process knows, by id, with the ``PluginRegistry`` the spec loader checks specs against.
///
/// Built once at start-up from one list (``BuiltinPlugins/all`` plus any third-party types). Each type must
/// conform to the component protocol of its descriptor's kind, and that protocol's `Config` must be the
/// descriptor's configuration type; anything else is rejected here rather than discovered mid-run.
public struct PluginCatalog: Sendable {
    /// Descriptors of every plugin, for the spec loader, `kiln plugins` and the JSON Schema.
    public let registry: PluginRegistry
    private let types: [String: any KilnPlugin.Type]

    /// A catalog of `plugins`; throws on the first invalid descriptor, duplicate id, or type that does not
    /// implement its kind's protocol with the descriptor's configuration type.
    public init(_ plugins: [any KilnPlugin.Type]) throws(PluginError) {
        var registry = PluginRegistry()
        var types: [String: any KilnPlugin.Type] = [:]
        for plugin in plugins {
            let descriptor = plugin.descriptor
            try registry.register(descriptor)
            if let problem = Self.conformanceProblem(plugin) {
                throw .invalidDescriptor(id: descriptor.id, problems: [problem])
            }
            types[descriptor.id] = plugin
        }
        self.registry = registry
        self.types = types
    }

    /// The type registered under `id`.
    public subscript(id: String) -> (any KilnPlugin.Type)? { types[id] }

    /// The dataset plugin `id`; throws a plugin error if it is not one.
    func dataset(_ id: String) throws(RunError) -> any DatasetPlugin.Type { try typed(id) }
    /// The model plugin `id`.
    func model(_ id: String) throws(RunError) -> any ModelPlugin.Type { try typed(id) }
    /// The optimizer plugin `id`.
    func optimizer(_ id: String) throws(RunError) -> any OptimizerPlugin.Type { try typed(id) }
    /// The method plugin `id`.
    func method(_ id: String) throws(RunError) -> any MethodPlugin.Type { try typed(id) }
    /// The evaluator plugin `id`.
    func evaluator(_ id: String) throws(RunError) -> any EvaluatorPlugin.Type { try typed(id) }
    /// The stage plugin `id`.
    func stage(_ id: String) throws(RunError) -> any StagePlugin.Type { try typed(id) }

    /// The ids of the dataset plugins that give `kind` data, sorted (for messages that suggest one).
    func datasetIDs(providing kind: DataKind) -> [String] {
        types.compactMap { id, type in (type as? any DatasetPlugin.Type)?.provides == kind ? id : nil }.sorted()
    }

    private func typed<T>(_ id: String) throws(RunError) -> T {
        guard let found = types[id] else { throw .plugin(id: id, message: "is not compiled into this kiln") }
        guard let typed = found as? T else { throw .plugin(id: id, message: "is not a \(T.self)") }
        return typed
    }

    /// Why `plugin` does not fit its descriptor, or nil when it does.
    private static func conformanceProblem(_ plugin: any KilnPlugin.Type) -> String? {
        let descriptor = plugin.descriptor
        let implemented: [(PluginKind, any PluginConfig.Type)] = [
            (plugin as? any DatasetPlugin.Type).map { (.dataset, configType(of: $0)) },
            (plugin as? any ModelPlugin.Type).map { (.model, configType(of: $0)) },
            (plugin as? any OptimizerPlugin.Type).map { (.optimizer, configType(of: $0)) },
            (plugin as? any MethodPlugin.Type).map { (.method, configType(of: $0)) },
            (plugin as? any EvaluatorPlugin.Type).map { (.evaluator, configType(of: $0)) },
            (plugin as? any StagePlugin.Type).map { (.stage, configType(of: $0)) },
        ].compactMap { $0 }
        guard implemented.count == 1, let (kind, config) = implemented.first else {
            let kinds = implemented.map(\.0.rawValue).joined(separator: ", ")
            return implemented.isEmpty
                ? "type \(plugin) implements none of the component protocols (DatasetPlugin, ModelPlugin, ...)"
                : "type \(plugin) implements the protocols of several kinds (\(kinds)); a plugin has one kind"
        }
        if kind != descriptor.kind {
            return "type \(plugin) implements the \(kind) protocol but its descriptor's kind is \(descriptor.kind)"
        }
        if config != descriptor.configType {
            return "type \(plugin) takes configuration \(config) but its descriptor names \(descriptor.configType)"
        }
        return nil
    }
}

private func configType<P: DatasetPlugin>(of _: P.Type) -> any PluginConfig.Type { P.Config.self }
private func configType<P: ModelPlugin>(of _: P.Type) -> any PluginConfig.Type { P.Config.self }
private func configType<P: OptimizerPlugin>(of _: P.Type) -> any PluginConfig.Type { P.Config.self }
private func configType<P: MethodPlugin>(of _: P.Type) -> any PluginConfig.Type { P.Config.self }
private func configType<P: EvaluatorPlugin>(of _: P.Type) -> any PluginConfig.Type { P.Config.self }
private func configType<P: StagePlugin>(of _: P.Type) -> any PluginConfig.Type { P.Config.self }
