public import PluginAPI

/// Where each key of a spec was written, so that checks made after loading (the plugins against each other, in
/// the Experiment target) report file, line and column as the loader does.
public struct SpecSource: Sendable {
    /// The spec file's path, as it was given to the loader.
    public let file: String
    let root: SourceNode

    init(file: String, root: SourceNode) {
        self.file = file
        self.root = root
    }

    /// A problem at the value under `path` (at the mapping that lacks it, when it is not written).
    public func problem(_ kind: SpecProblem.Kind, at path: ConfigKeyPath, _ message: String) -> SpecProblem {
        SpecProblem(kind, file: file, at: root.location(of: path), keyPath: path, message)
    }
}

/// The plugins a spec chose, as far as they can be read: enough to check them against each other even when other
/// parts of the spec have problems, so that `kiln validate` reports everything in one pass.
public struct SpecPlugins: Sendable {
    /// The dataset's id, when one is named.
    public var dataID: String?
    /// The dataset's configuration, when it resolved.
    public var dataConfig: (any PluginConfig)?
    /// The `data.augment` transforms, when they resolved.
    public var augment: DataAugmentation?
    /// The model's id, when one is named.
    public var modelID: String?
    /// Each plugin named where a training method may stand, with where it is named (`train.method`,
    /// `stages[1].plugin`); ids that are not methods are for the checker to skip.
    public var methods: [(path: ConfigKeyPath, id: String)] = []
    /// Where the spec's keys are written.
    public var source: SpecSource

    /// The plugins of a spec that resolved in full.
    public init(_ spec: ExperimentSpec, source: SpecSource) {
        (dataID, dataConfig, augment, modelID) = (spec.data.id, spec.data.config, spec.augment, spec.model.id)
        if let train = spec.train { methods.append(("train.method", train.method.id)) }
        for (i, stage) in spec.stages.enumerated() {
            methods.append((ConfigKeyPath("stages").appending(index: i).appending("plugin"), stage.plugin.id))
        }
        self.source = source
    }

    /// The plugin ids written in `source`'s tree; the configurations are for the resolver to add.
    init(source: SpecSource) {
        self.source = source
        let root = source.root
        dataID = root["data"]?["dataset"]?.value.string
        modelID = root["model"]?["plugin"]?.value.string
        if let id = root["train"]?["method"]?.value.string { methods.append(("train.method", id)) }
        if case .sequence(let stages)? = root["stages"]?.content {
            for (i, stage) in stages.enumerated() {
                let path = ConfigKeyPath("stages").appending(index: i)
                if let id = stage.value.string {
                    methods.append((path, id))
                } else if let id = stage["plugin"]?.value.string {
                    methods.append((path.appending("plugin"), id))
                }
            }
        }
    }
}

extension SpecSource {
    /// A source without positions, for a spec built in code: its problems name the file only.
    public static func unlocated(file: String) -> SpecSource {
        SpecSource(file: file, root: SourceNode(content: .mapping([]), location: SourceLocation(line: 0, column: 0)))
    }
}
