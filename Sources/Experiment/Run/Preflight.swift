import Foundation
import PluginAPI
public import Spec

/// Checks a spec's plugins against each other before anything runs: what the loader cannot see because it
/// knows only descriptors (a text dataset under a method that trains on labeled examples, a graph model on
/// vectors, an image model on a dataset whose configuration says it gives vectors, image transforms on vectors).
///
/// Works on whatever resolved, so a spec with a typo elsewhere still has these problems reported in the same pass,
/// each at the file, line and column of the plugin it concerns.
public enum Preflight {
    /// Every problem of a loaded or rejected spec: the loader's, then its plugins against each other (a sweep's
    /// children's shared misfits once), sorted by position. Empty for a spec that can run. `kiln run`,
    /// `kiln validate` and the daemon's spec check all report this list.
    public static func allProblems(_ loaded: Result<LoadedSpec, SpecError>, catalog: PluginCatalog) -> [SpecProblem] {
        switch loaded {
        case .failure(let error):
            let crossChecks = error.partial.map { problems($0, catalog: catalog) } ?? []
            return SpecError(file: error.file, problems: error.problems + crossChecks).problems
        case .success(let spec):
            // Children report a shared misfit at the value each was given (`sweep: {data.augment.flip: [...]}`).
            return SpecProblem.firstOfEach(spec.runs.flatMap { problems($0, catalog: catalog) })
        }
    }

    /// The problems of a spec that resolved in full; empty when its plugins fit together.
    public static func problems(_ spec: ExperimentSpec, catalog: PluginCatalog) -> [SpecProblem] {
        let source = spec.written ?? SpecSource.unlocated(file: spec.source.lastPathComponent)
        var problems = problems(SpecPlugins(spec, source: source), catalog: catalog)
        if spec.train == nil && !spec.stages.contains(where: { $0.plugin.kind == .method }) && spec.startFrom == nil {
            problems.append(
                source.problem(
                    .invalidValue, at: "stages",
                    "no stage trains and there is no start_from, so the model stays at its random start"))
        }
        return problems
    }

    /// The problems among the plugins that resolved.
    public static func problems(_ plugins: SpecPlugins, catalog: PluginCatalog) -> [SpecProblem] {
        let source = plugins.source
        guard let dataID = plugins.dataID, let dataType = try? catalog.dataset(dataID) else { return [] }
        var problems: [SpecProblem] = []
        let kind = dataType.provides
        let exampleShape = plugins.dataConfig.flatMap { dataType.exampleShape(erased: $0) }
        let methods = plugins.methods.compactMap { entry in (try? catalog.method(entry.id)).map { (entry, $0) } }
        // Text under a supervised method: the method's refusal below says it best; one problem is enough.
        let methodRefusesText = kind == .text && methods.contains { !$0.1.accepts.contains(.text) }
        if let modelID = plugins.modelID, let model = try? catalog.model(modelID), !methodRefusesText,
            let mismatch = model.input.mismatch(with: kind, exampleShape: exampleShape, dataset: "'\(dataID)'")
        {
            problems.append(
                source.problem(
                    .invalidValue, at: "model.plugin",
                    "'\(modelID)' \(mismatch)" + suggestion(for: model.input, catalog)))
        }
        if let augment = plugins.augment,
            let problem = augmentProblem(augment, kind: kind, dataset: dataID, exampleShape: exampleShape)
        {
            problems.append(source.problem(.invalidValue, at: "data.augment", problem))
        }
        for (entry, method) in methods where !method.accepts.contains(kind) {
            let accepted = method.accepts.sorted().map(\.rawValue).joined(separator: " or ")
            problems.append(
                source.problem(
                    .invalidValue, at: entry.path,
                    "'\(entry.id)' trains on \(accepted) data, but '\(dataID)' gives \(kind.rawValue) data"))
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
