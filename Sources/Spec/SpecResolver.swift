import Foundation
import PluginAPI

/// Walks a spec's tree against the registry, collecting every problem instead of stopping at one.
///
/// Each slot is read as: a selector key naming the plugin (`plugin`, `dataset`, `method`), the
/// spec's own keys for that slot (`schedule`, `steps`, ...), and everything else as the plugin's
/// configuration. Problems from configurations come back as key paths and are located here.
struct SpecResolver {
    let registry: PluginRegistry
    let file: String
    let source: URL
    let dataPolicy: PathPolicy
    let runPolicy: PathPolicy
    var problems: [SpecProblem] = []
    /// What resolved of the last spec, for checks across plugins when other parts have problems.
    private(set) var plugins: SpecPlugins?

    /// The top-level keys that hold sections; anything else is a header key (name, seed, ...).
    static let sectionKeys = [
        "data", "model", "optimizer", "train", "stages", "eval", "checkpoint", "resources", "sweep",
    ]

    init(registry: PluginRegistry, file: String, source: URL, dataPolicy: PathPolicy, runPolicy: PathPolicy) {
        self.registry = registry
        self.file = file
        self.source = source
        self.dataPolicy = dataPolicy
        self.runPolicy = runPolicy
    }

    private var directory: URL { source.deletingLastPathComponent() }

    mutating func resolve(_ root: SourceNode, defaultName: String) -> ExperimentSpec? {
        guard root.entries != nil else {
            problem(
                .wrongType, at: root.location, .root, "a spec must be a mapping of keys (name, data, model, train, ...)"
            )
            return nil
        }
        let written = SpecSource(file: file, root: root)
        plugins = SpecPlugins(source: written)
        var headerValues = root.object(excluding: Set(Self.sectionKeys))
        if headerValues["name"] == nil { headerValues["name"] = .string(defaultName) }
        let runPolicy = runPolicy
        let directory = directory
        let header = configure(
            SpecHeader.self, user: headerValues, node: root, at: .root, otherKeys: Self.sectionKeys,
            paths: { try runPolicy.resolve($0, relativeTo: directory, requirement: $1).path })

        let dataNode = section("data", in: root, required: true)
        let data = dataNode.flatMap {
            plugin(in: $0, at: "data", selector: "dataset", kinds: [.dataset], reserved: ["augment"])
        }
        let augmentNode = dataNode.flatMap { section("augment", in: $0, at: "data", required: false) }
        let augment = configure(
            DataAugmentation.self, user: augmentNode?.object() ?? [:], node: augmentNode, at: "data.augment")
        let model = section("model", in: root, required: true).flatMap {
            plugin(in: $0, at: "model", selector: "plugin", kinds: [.model])
        }
        plugins?.dataConfig = data?.config
        plugins?.augment = augment
        let optimizerNode = section("optimizer", in: root, required: false)
        let optimizer = optimizerNode.flatMap { optimizerSpec(in: $0, at: "optimizer") }
        let trainNode = section("train", in: root, required: false)
        let train = trainNode.flatMap { trainSpec(in: $0, at: "train") }
        let stagesNode = root["stages"]
        let stages =
            stagesNode.map { stageSpecs(in: $0, topOptimizer: optimizer, hasTopOptimizer: optimizerNode != nil) } ?? []

        if trainNode == nil && stagesNode == nil {
            problem(.missingKey, at: root.location, "train", "missing required key 'train' (or a list of 'stages')")
        }
        if trainNode != nil, stagesNode != nil {
            problem(
                .invalidValue, at: root.keyLocation(of: "stages"), "stages",
                "a spec has either 'train' or 'stages', not both")
        }
        if trainNode != nil, optimizerNode == nil {
            problem(.missingKey, at: root.location, "optimizer", "missing required key 'optimizer': 'train' needs one")
        }

        let eval = evalSpec(in: section("eval", in: root, required: false))
        let checkpointNode = section("checkpoint", in: root, required: false)
        let checkpoint = configure(
            CheckpointPolicy.self, user: checkpointNode?.object() ?? [:], node: checkpointNode, at: "checkpoint")
        let resourcesNode = section("resources", in: root, required: false)
        let resources = configure(
            ResourceHints.self, user: resourcesNode?.object() ?? [:], node: resourcesNode, at: "resources")

        guard problems.isEmpty, let header, let data, let augment, let model, let eval, let checkpoint, let resources
        else {
            return nil
        }
        return ExperimentSpec(
            written: written, name: header.name, seed: header.seed, priority: header.priority,
            startFrom: header.startFrom.map { URL(fileURLWithPath: $0) }, data: data, augment: augment, model: model,
            optimizer: optimizer,
            train: train, stages: stages, eval: eval, checkpoint: checkpoint, resources: resources, source: source)
    }

    // MARK: Slots

    private mutating func optimizerSpec(in node: SourceNode, at path: ConfigKeyPath) -> OptimizerSpec? {
        let scheduleNode = section("schedule", in: node, at: path, required: false)
        let schedule = configure(
            LRSchedule.self, user: scheduleNode?.object() ?? [:], node: scheduleNode, at: path.appending("schedule"))
        let use = plugin(in: node, at: path, selector: "plugin", kinds: [.optimizer], reserved: ["schedule"])
        guard let use, let schedule else { return nil }
        return OptimizerSpec(plugin: use, schedule: schedule)
    }

    private mutating func trainSpec(in node: SourceNode, at path: ConfigKeyPath) -> TrainSpec? {
        let loopKeys: Set = ["steps", "batch"]
        let loopValues = ConfigObject(node.object().filter { loopKeys.contains($0.key) }.map { ($0.key, $0.value) })
        let loop = configure(TrainingLoop.self, user: loopValues, node: node, at: path)
        let method = plugin(in: node, at: path, selector: "method", kinds: [.method], reserved: loopKeys)
        guard let loop, let method else { return nil }
        return TrainSpec(method: method, loop: loop)
    }

    private mutating func stageSpecs(
        in node: SourceNode, topOptimizer: OptimizerSpec?, hasTopOptimizer: Bool
    ) -> [StageSpec] {
        guard case .sequence(let items) = node.content, !items.isEmpty else {
            problem(.wrongType, at: node.location, "stages", "expected a non-empty list of stages")
            return []
        }
        var stages: [StageSpec] = []
        var names: Set<String> = []
        for (i, item) in items.enumerated() {
            let path = ConfigKeyPath("stages").appending(index: i)
            let entry = shorthand(item, selector: "plugin")
            guard entry.entries != nil else {
                problem(.wrongType, at: item.location, path, "expected a plugin id or a mapping with 'plugin'")
                continue
            }
            guard
                let descriptor = lookup(in: entry, at: path, selector: "plugin", kinds: [.stage, .method, .evaluator])
            else {
                continue
            }
            let isTraining = descriptor.kind == .method
            var reserved: Set = ["name"]
            var loop: TrainingLoop?
            var optimizer = topOptimizer
            if isTraining {
                reserved.formUnion(["steps", "batch", "optimizer"])
                let loopValues = ConfigObject(
                    entry.object().filter { ["steps", "batch"].contains($0.key) }.map { ($0.key, $0.value) })
                loop = configure(TrainingLoop.self, user: loopValues, node: entry, at: path)
                if let own = section("optimizer", in: entry, at: path, required: false) {
                    optimizer = optimizerSpec(in: own, at: path.appending("optimizer"))
                } else if !hasTopOptimizer {
                    problem(
                        .missingKey, at: entry.location, path.appending("optimizer"),
                        "a training stage needs 'optimizer', here or at the top level")
                }
            }
            let use = configurePlugin(descriptor, in: entry, at: path, selector: "plugin", reserved: reserved)
            let name = stageName(entry, at: path, default: descriptor.name, taken: &names)
            if let use {
                stages.append(StageSpec(name: name, plugin: use, loop: loop, optimizer: isTraining ? optimizer : nil))
            }
        }
        return stages
    }

    private mutating func stageName(
        _ entry: SourceNode, at path: ConfigKeyPath, default base: String, taken: inout Set<String>
    ) -> String {
        guard let node = entry["name"] else {
            var name = base
            var n = 2
            while taken.contains(name) {
                name = "\(base)-\(n)"
                n += 1
            }
            taken.insert(name)
            return name
        }
        guard case .scalar(.string(let name)) = node.content, SpecHeader.isValidName(name), !name.contains("/") else {
            problem(
                .invalidValue, at: node.location, path.appending("name"),
                "expected a stage name: letters, digits and . _ = , + -")
            return base
        }
        if !taken.insert(name).inserted {
            problem(.invalidValue, at: node.location, path.appending("name"), "stage name '\(name)' is used twice")
        }
        return name
    }

    private mutating func evalSpec(in node: SourceNode?) -> EvalSpec? {
        let settings = configure(
            EvalSection.self, user: node?.object(excluding: ["evaluators"]) ?? [:], node: node, at: "eval",
            otherKeys: ["evaluators"])
        var evaluators: [PluginUse] = []
        if let list = node?["evaluators"] {
            if case .sequence(let items) = list.content {
                for (i, item) in items.enumerated() {
                    let path = ConfigKeyPath("eval.evaluators").appending(index: i)
                    let entry = shorthand(item, selector: "plugin")
                    guard entry.entries != nil else {
                        problem(
                            .wrongType, at: item.location, path, "expected an evaluator id or a mapping with 'plugin'")
                        continue
                    }
                    if let use = plugin(in: entry, at: path, selector: "plugin", kinds: [.evaluator]) {
                        evaluators.append(use)
                    }
                }
            } else if !(list.value.isNull) {
                problem(
                    .wrongType, at: list.location, "eval.evaluators",
                    "expected a list of evaluator ids, found \(list.value.typeDescription)")
            }
        }
        return settings.map { EvalSpec(every: $0.every, evaluators: evaluators) }
    }

    // MARK: Plugins

    /// A bare id in a list (`- eval.accuracy`) stands for `{plugin: eval.accuracy}`.
    private func shorthand(_ item: SourceNode, selector: String) -> SourceNode {
        guard case .scalar(.string) = item.content else { return item }
        return SourceNode(
            content: .mapping([.init(key: selector, keyLocation: item.location, value: item)]), location: item.location)
    }

    private mutating func plugin(
        in node: SourceNode, at path: ConfigKeyPath, selector: String, kinds: [PluginKind], reserved: Set<String> = []
    ) -> PluginUse? {
        guard let descriptor = lookup(in: node, at: path, selector: selector, kinds: kinds) else { return nil }
        return configurePlugin(descriptor, in: node, at: path, selector: selector, reserved: reserved)
    }

    private mutating func lookup(
        in node: SourceNode, at path: ConfigKeyPath, selector: String, kinds: [PluginKind]
    ) -> PluginDescriptor? {
        let kindNames = kinds.map(\.rawValue).joined(separator: " or ")
        guard let idNode = node[selector] else {
            problem(
                .missingKey, at: node.location, path.appending(selector),
                "missing required key '\(selector)' naming the \(kindNames) plugin")
            return nil
        }
        guard case .scalar(.string(let id)) = idNode.content else {
            problem(
                .wrongType, at: idNode.location, path.appending(selector),
                "expected a \(kindNames) plugin id such as '\(kinds[0].idPrefix).name'")
            return nil
        }
        do { return try registry.lookup(id, kinds: kinds) } catch {
            var suggestions: [String] = []
            if case .unknownPlugin(_, _, let close, _) = error { suggestions = close }
            problem(
                .unknownPlugin, at: idNode.location, path.appending(selector), error.description,
                suggestions: suggestions)
            return nil
        }
    }

    private mutating func configurePlugin(
        _ descriptor: PluginDescriptor, in node: SourceNode, at path: ConfigKeyPath, selector: String,
        reserved: Set<String>
    ) -> PluginUse? {
        let taken = reserved.union([selector])
        let dataPolicy = dataPolicy
        let directory = directory
        let resolution = descriptor.resolveConfig(node.object(excluding: taken), otherKeys: taken.sorted()) {
            try dataPolicy.resolve($0, relativeTo: directory, requirement: $1).path
        }
        report(resolution.problems, node: node, at: path)
        return resolution.config.map { PluginUse(descriptor: descriptor, values: resolution.value, config: $0) }
    }

    // MARK: Helpers

    private mutating func configure<C: PluginConfig>(
        _ type: C.Type, user: ConfigObject, node: SourceNode?, at path: ConfigKeyPath, otherKeys: [String] = [],
        paths: PathResolver? = nil
    ) -> C? {
        let resolution = C.resolve(user, otherKeys: otherKeys, paths: paths)
        report(resolution.problems, node: node, at: path)
        return resolution.config as? C
    }

    /// The mapping under `key`; an empty value counts as an empty mapping, anything else is reported.
    private mutating func section(
        _ key: String, in parent: SourceNode, at parentPath: ConfigKeyPath = .root, required: Bool
    ) -> SourceNode? {
        let path = parentPath.appending(key)
        guard let node = parent[key] else {
            if required { problem(.missingKey, at: parent.location, path, "missing required key '\(key)'") }
            return nil
        }
        switch node.content {
        case .mapping: return node
        case .scalar(.null): return SourceNode(content: .mapping([]), location: node.location)
        default:
            problem(.wrongType, at: node.location, path, "expected a mapping, found \(node.value.typeDescription)")
            return nil
        }
    }

    private mutating func report(_ configProblems: [ConfigProblem], node: SourceNode?, at path: ConfigKeyPath) {
        for p in configProblems {
            let location = node?.location(of: p.path, atKey: p.kind == .unknownKey) ?? .start
            problems.append(
                SpecProblem(
                    .init(p.kind), file: file, at: location, keyPath: path.appending(p.path), p.message,
                    suggestions: p.suggestions))
        }
    }

    private mutating func problem(
        _ kind: SpecProblem.Kind, at location: SourceLocation, _ path: ConfigKeyPath, _ message: String,
        suggestions: [String] = []
    ) {
        problems.append(SpecProblem(kind, file: file, at: location, keyPath: path, message, suggestions: suggestions))
    }
}
