import PluginAPI
import Spec

/// Checks a valid spec's plugins against each other before anything runs: what the loader cannot see because it
/// knows only descriptors (a text dataset under a method that trains on labeled examples, a graph model on
/// vectors, an image model on a dataset whose configuration says it gives vectors).
enum Preflight {
    /// One line per problem, `key.path: message`; empty when the plugins fit together.
    static func problems(_ spec: ExperimentSpec, catalog: PluginCatalog) -> [String] {
        var problems: [String] = []
        guard let dataType = try? catalog.dataset(spec.data.id) else {
            return ["data.dataset: '\(spec.data.id)' is not a dataset plugin compiled into this kiln"]
        }
        let kind = dataType.provides
        let methodUses = (spec.train.map { [$0.method] } ?? []) + spec.stages.map(\.plugin).filter { $0.kind == .method }
        let methods = methodUses.compactMap { try? catalog.method($0.id) }
        // Text under a supervised method: the method's refusal below says it best; one line is enough.
        let methodRefusesText = kind == .text && methods.contains { !$0.accepts.contains(.text) }
        if let model = try? catalog.model(spec.model.id), !methodRefusesText,
            let mismatch = model.input.mismatch(
                with: kind, exampleShape: dataType.exampleShape(erased: spec.data.config),
                dataset: "'\(spec.data.id)'")
        {
            problems.append("model.plugin: '\(spec.model.id)' \(mismatch)" + suggestion(for: model.input, catalog))
        }
        if let problem = augmentProblem(spec.augment, kind: kind, dataset: spec.data.id,
            exampleShape: dataType.exampleShape(erased: spec.data.config))
        {
            problems.append("data.augment: " + problem)
        }
        func check(_ use: PluginUse, at path: String) {
            guard let method = try? catalog.method(use.id) else { return }
            if !method.accepts.contains(kind) {
                let accepted = method.accepts.sorted().map(\.rawValue).joined(separator: " or ")
                problems.append(
                    "\(path): '\(use.id)' trains on \(accepted) data, but '\(spec.data.id)' gives \(kind.rawValue) data"
                )
            }
        }
        if let train = spec.train { check(train.method, at: "train.method") }
        for (i, stage) in spec.stages.enumerated() where stage.plugin.kind == .method {
            check(stage.plugin, at: "stages[\(i)].plugin")
        }
        if spec.train == nil && !spec.stages.contains(where: { $0.plugin.kind == .method }) && spec.startFrom == nil {
            problems.append(
                "stages: no stage trains and there is no start_from, so the model stays at its random start")
        }
        return problems
    }

    /// Why `augment` cannot apply to `dataset`'s examples (`exampleShape` nil when unknown before loading); nil
    /// when it can or asks for nothing.
    static func augmentProblem(_ augment: DataAugmentation, kind: DataKind, dataset: String, exampleShape: [Int]?)
        -> String?
    {
        guard augment.isActive else { return nil }
        guard kind == .labeled else {
            return "image transforms need image examples [C, H, W], but '\(dataset)' gives \(kind.rawValue) data"
        }
        guard let shape = exampleShape else { return nil }
        guard shape.count == 3 else {
            return "image transforms need image examples [C, H, W], but '\(dataset)' gives examples of shape \(shape)"
        }
        if let mean = augment.mean, mean.count != shape[0] {
            return "mean and std have \(mean.count) entries, but '\(dataset)' gives images with \(shape[0]) channels"
        }
        return nil
    }

    /// `; graph datasets: data.graph-files, data.sbm` after a graph model's mismatch; empty otherwise.
    private static func suggestion(for input: ModelInput, _ catalog: PluginCatalog) -> String {
        guard input == .graphNodes else { return "" }
        let graphs = catalog.datasetIDs(providing: .graph)
        return graphs.isEmpty ? "" : "; graph datasets: " + graphs.joined(separator: ", ")
    }
}
