import Foundation
public import PluginAPI
import Yams

extension ExperimentSpec {
    /// The spec in its input format with every default written out: loading it again gives an equal
    /// spec. Paths are absolute, evaluators and stages use the long `{plugin: ...}` form.
    public var resolvedTree: ConfigValue {
        var o = ConfigObject()
        o["name"] = .string(name)
        o["seed"] = .int(seed)
        o["priority"] = .int(priority)
        if let startFrom { o["start_from"] = .string(startFrom.path) }
        o["data"] = Self.slot(data, selector: "dataset", extra: ["augment": .object(Self.encoded(augment))])
        o["model"] = Self.slot(model, selector: "plugin")
        if let optimizer { o["optimizer"] = Self.tree(optimizer) }
        if let train {
            o["train"] = Self.slot(train.method, selector: "method", extra: Self.encoded(train.loop))
        }
        if !stages.isEmpty {
            o["stages"] = .array(
                stages.map { stage in
                    var extra: ConfigObject = ["name": .string(stage.name)]
                    if let loop = stage.loop { for (k, v) in Self.encoded(loop) { extra[k] = v } }
                    // A stage inheriting the top-level optimizer says nothing, so the file reads as written.
                    if let own = stage.optimizer, own != optimizer { extra["optimizer"] = Self.tree(own) }
                    return Self.slot(stage.plugin, selector: "plugin", extra: extra)
                })
        }
        o["eval"] = .object([
            "every": .int(eval.every), "evaluators": .array(eval.evaluators.map { Self.slot($0, selector: "plugin") }),
        ])
        o["checkpoint"] = .object(Self.encoded(checkpoint))
        o["resources"] = .object(Self.encoded(resources))
        return .object(o)
    }

    /// ``resolvedTree`` as YAML text, for `spec.resolved.yaml` beside the run.
    public func resolvedYAML() -> String {
        let header = "# Resolved by kiln from \(source.path): every default written out.\n"
        return header + ((try? Yams.serialize(node: Self.node(resolvedTree), width: -1)) ?? "")
    }

    private static func slot(_ use: PluginUse, selector: String, extra: ConfigObject = [:]) -> ConfigValue {
        var o: ConfigObject = [selector: .string(use.id)]
        for (k, v) in extra { o[k] = v }
        for (k, v) in use.values { o[k] = v }
        return .object(o)
    }

    private static func tree(_ optimizer: OptimizerSpec) -> ConfigValue {
        slot(optimizer.plugin, selector: "plugin", extra: ["schedule": .object(encoded(optimizer.schedule))])
    }

    private static func encoded(_ config: some PluginConfig) -> ConfigObject {
        (try? ConfigValueEncoder().encode(config))?.object ?? [:]
    }

    /// A Yams node for `value`. Text that would read back as another type (`"1.10"`, `"true"`) is
    /// quoted; lists of scalars are written in flow style (`[128, 128]`) to keep the file short.
    private static func node(_ value: ConfigValue) -> Node {
        switch value {
        case .null: return Node("null")
        case .bool(let b): return Node(b ? "true" : "false")
        case .int(let i): return Node(String(i))
        case .double(let d):
            if d.isNaN { return Node(".nan") }
            if d.isInfinite { return Node(d > 0 ? ".inf" : "-.inf") }
            return Node("\(d)")
        case .string(let s):
            let plainIsText = typedScalar(s) == .string(s) && s.trimmingCharacters(in: .whitespaces) == s
            return Node(s, .implicit, plainIsText ? .any : .doubleQuoted)
        case .array(let items):
            let flat = items.allSatisfy { $0.array == nil && $0.object == nil }
            return Node(items.map(node), .implicit, flat ? .flow : .block)
        case .object(let o):
            return Node(o.map { (Node($0.key), node($0.value)) }, .implicit, .block)
        }
    }
}
