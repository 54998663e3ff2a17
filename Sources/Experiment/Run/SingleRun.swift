import Foundation
import Logging
import PluginAPI
import Spec
import TensorEngine
import TensorNN

/// Runs one resolved spec in its run folder: loads the data, builds the model (from `start_from` if set), then
/// trains it (`train:`) or passes it through the stage chain (`stages:`).
struct SingleRun {
    /// How the run ended, short of an error.
    enum Outcome {
        /// All work done.
        case completed(RunResult)
        /// Stopped on request at `step` (global over a chain), with a checkpoint there.
        case interrupted(step: Int)
    }

    let spec: ExperimentSpec
    let catalog: PluginCatalog
    let context: RunContext
    let streams: RunStreams

    init(spec: ExperimentSpec, catalog: PluginCatalog, context: RunContext) {
        self.spec = spec
        self.catalog = catalog
        self.context = context
        self.streams = RunStreams(seed: spec.seed)
    }

    /// Total training steps: the loop's, or the sum over the chain's training stages.
    var totalSteps: Int { spec.train?.loop.steps ?? spec.stages.compactMap(\.loop?.steps).reduce(0, +) }

    func execute() throws(RunError) -> Outcome {
        let (data, task) = try loadData()
        let model = try makeModel(task: task)
        if !spec.stages.isEmpty {
            let chain = StageChain(run: self, data: data, task: task, model: model)
            return try chain.execute()
        }
        guard let train = spec.train, let optimizerSpec = spec.optimizer else {
            throw .invalidSpec("the spec has neither 'train' with an 'optimizer' nor 'stages'")
        }
        let session = try makeSession(
            work: context.folder.work, label: "", model: model, method: train.method, loop: train.loop,
            optimizer: optimizerSpec, data: data, task: task, masks: [:], streams: streams)
        switch try session.run() {
        case .interrupted(let step): return .interrupted(step: step)
        case .completed(let metrics, let details):
            return .completed(
                RunResult(name: spec.name, steps: train.loop.steps, finalMetrics: metrics, details: details, stages: [])
            )
        }
    }

    // MARK: Parts

    func loadData() throws(RunError) -> (LabeledDataset, TaskInfo) {
        let type = try catalog.dataset(spec.data.id)
        var rng = streams.data
        let dataset: Dataset
        do { dataset = try type.makeDataset(erased: spec.data.config, using: &rng) } catch {
            throw .classifying(error, plugin: spec.data.id, slot: "data")
        }
        // Text too short for the spec's window: the fix is in the spec (a shorter context), so it is an invalid one.
        if let problem = dataset.text?.windowingProblem { throw .invalidSpec("data.context: " + problem) }
        let input = try catalog.model(spec.model.id).input
        guard var view = dataset.supervisedView(for: input) else {
            if let mismatch = input.mismatch(with: dataset.kind, exampleShape: nil, dataset: "'\(spec.data.id)'") {
                throw .invalidSpec("model.plugin: '\(spec.model.id)' \(mismatch)")
            }
            throw .invalidSpec(
                "data.dataset: '\(spec.data.id)' gives \(dataset.kind.rawValue) data, which no supervised method "
                    + "can train on"
            )
        }
        if let problem = Preflight.augmentProblem(
            spec.augment, kind: dataset.kind, dataset: spec.data.id, exampleShape: view.train.exampleShape)
        {
            throw .invalidSpec("data.augment: " + problem)
        }
        if let normalized = spec.augment.normalizing(view) {
            view = normalized.data
            context.logger.info(
                "data normalised per channel",
                metadata: ["mean": "\(normalized.mean)", "std": "\(normalized.std)"])
        }
        let task = TaskInfo(
            exampleShape: view.train.exampleShape, classCount: view.classCount, classNames: view.classNames,
            graph: dataset.graph.map { TaskGraph($0) })
        context.logger.info(
            "data loaded",
            metadata: [
                "dataset": "\(spec.data.id)", "train": "\(view.train.count)", "test": "\(view.test.count)",
                "classes": "\(view.classCount)", "example_shape": "\(view.train.exampleShape)",
            ])
        return (view, task)
    }

    func makeModel(task: TaskInfo) throws(RunError) -> any Layer {
        let type = try catalog.model(spec.model.id)
        var rng = streams.model
        let model: any Layer
        do { model = try type.makeModel(erased: spec.model.config, task: task, using: &rng) } catch {
            throw .classifying(error, plugin: spec.model.id, slot: "model")
        }
        if let start = spec.startFrom { try loadStart(start, into: model) }
        return model
    }

    /// Copies the parameters of the `start_from` checkpoint into `model`; a `checkpoints/latest` pointer is followed.
    private func loadStart(_ file: URL, into model: any Layer) throws(RunError) {
        var url = file
        if file.lastPathComponent == "latest", let name = try? String(contentsOf: file, encoding: .utf8) {
            url = file.deletingLastPathComponent().appendingPathComponent(
                name.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        do {
            let checkpoint = try Checkpoint.read(from: url)
            try model.loadParameters(checkpoint.parameters)
            context.logger.info(
                "model loaded from start_from", metadata: ["file": "\(url.path)", "step": "\(checkpoint.step)"])
        } catch {
            throw .invalidSpec("start_from: \(url.path) does not fit model \(spec.model.id): \(error)")
        }
    }

    /// A training session; `slot` is where the method's keys sit in the spec (`train`, `stages[1]`), for messages.
    func makeSession(
        work: WorkFolder, label: String, model: any Layer, method: PluginUse, loop: TrainingLoop,
        optimizer: OptimizerSpec, data: LabeledDataset, task: TaskInfo, masks: [String: Tensor], streams: RunStreams,
        stepOffset: Int = 0, mirror: (MetricsLog, Int)? = nil, slot: String = "train"
    ) throws(RunError) -> TrainingSession {
        let optimizerType = try catalog.optimizer(optimizer.plugin.id)
        let built: any Optimizer
        do {
            built = try optimizerType.makeOptimizer(
                erased: optimizer.plugin.config, parameters: model.trainableParameters())
        } catch {
            let at = slot == "train" ? "optimizer" : "\(slot).optimizer"
            throw .classifying(error, plugin: optimizer.plugin.id, slot: at)
        }
        built.schedule = optimizer.schedule.makeSchedule(totalSteps: loop.steps)
        let methodType = try catalog.method(method.id)
        let made: any MethodPlugin
        do { made = try methodType.make(erased: method.config, task: task) } catch {
            throw .classifying(error, plugin: method.id, slot: slot)
        }
        return TrainingSession(
            context: context, work: work, label: label, model: model, modelID: spec.model.id, method: made,
            methodID: method.id, optimizer: built, data: data, task: task, loop: loop,
            evaluators: try EvaluatorSet(spec.eval.evaluators, catalog: catalog, stream: streams.evaluation),
            evalEvery: spec.eval.every,
            checkpoint: spec.checkpoint, masks: masks, batchStream: streams.batches,
            augmentation: spec.augment.batchTransforms, methodStream: streams.method,
            stepOffset: stepOffset, totalSteps: totalSteps, mirror: mirror)
    }
}
