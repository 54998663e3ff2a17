import Foundation
import Logging
import PluginAPI
import Spec
import TensorEngine
import TensorNN

/// Passes one model through a spec's `stages:` in order (train → prune → fine-tune → evaluate), each stage in
/// its own folder `NAME.run/stages/<name>/`.
///
/// A finished stage leaves `stage.json` (its metrics), `model.safetensors` (the model it hands on) and, if it
/// masked parameters, `masks.safetensors`. Resuming skips finished stages, loads the model and masks the last of
/// them left, and resumes the unfinished stage from its own checkpoints. Training stages also log into the run
/// folder's `metrics.jsonl` on one step axis across the chain, so the run's plots show the whole story.
struct StageChain {
    let run: SingleRun
    let data: LabeledDataset
    let task: TaskInfo
    let model: any Layer

    private var context: RunContext { run.context }
    private var spec: ExperimentSpec { run.spec }

    func execute() throws(RunError) -> SingleRun.Outcome {
        // Global steps at which each stage starts.
        var offsets: [Int] = []
        var total = 0
        for stage in spec.stages {
            offsets.append(total)
            total += stage.loop?.steps ?? 0
        }
        let finished = spec.stages.prefix {
            FileManager.default.fileExists(atPath: context.folder.stage($0.name).stageRecord.path)
        }
        var masks: [String: Tensor] = [:]
        var records: [RunResult.Stage] = []
        for stage in finished {
            let work = context.folder.stage(stage.name)
            records.append(try readRecord(work))
            if let saved = try? SafeTensors.read(from: work.stageMasks) {
                masks.merge(saved.tensors, uniquingKeysWith: *)
            }
        }
        if let last = finished.last {
            try load(context.folder.stage(last.name).stageModel, into: model)
            context.logger.info("skipping finished stages", metadata: ["stages": "\(finished.map(\.name))"])
        }
        let resumeAt = finished.count < spec.stages.count ? offsets[finished.count] : total
        let combined: MetricsLog
        do {
            // Records past the unfinished stage's start are re-logged by it; its own resume point may be later.
            combined = try MetricsLog(
                folder: context.folder.url, resumeStep: resumeAt + resumePoint(of: finished.count))
        } catch {
            throw .io("cannot open the run's metrics files: \(error)")
        }
        var details: [String: ConfigObject] = [:]
        for index in finished.count..<spec.stages.count {
            let stage = spec.stages[index]
            let work = context.folder.stage(stage.name)
            try work.create()
            context.logger.info("stage started", metadata: ["stage": "\(stage.name)", "plugin": "\(stage.plugin.id)"])
            let metrics: [String: Double]
            var newMasks: [String: Tensor] = [:]
            switch stage.plugin.kind {
            case .method:
                guard let loop = stage.loop, let optimizer = stage.optimizer else {
                    throw .invalidSpec("stages[\(index)]: a training stage needs steps and an optimizer")
                }
                let session = try run.makeSession(
                    work: work, label: stage.name, model: model, method: stage.plugin, loop: loop, optimizer: optimizer,
                    data: data, task: task, masks: masks, streams: run.streams.forStage(index),
                    stepOffset: offsets[index], mirror: (combined, offsets[index]), slot: "stages[\(index)]")
                switch try session.run() {
                case .interrupted(let step): return .interrupted(step: offsets[index] + step)
                case .completed(let m, let d):
                    metrics = m
                    details.merge(d) { $1 }
                }
            case .evaluator:
                let set = try EvaluatorSet(
                    [stage.plugin], catalog: run.catalog, stream: run.streams.forStage(index).evaluation)
                let evaluation = try set.evaluate(
                    model: model, split: data.test, task: task, step: offsets[index], folder: work.eval)
                metrics = evaluation.metrics
                details.merge(evaluation.details) { $1 }
                try log(metrics, at: offsets[index], into: combined)
            case .stage:
                var stageContext = StageContext(
                    name: stage.name, data: data, task: task, rng: run.streams.forStage(index).stage,
                    logger: context.logger,
                    folder: work.url)
                let type = try run.catalog.stage(stage.plugin.id)
                let outcome: StageOutcome
                do {
                    outcome = try type.apply(erased: stage.plugin.config, to: model, context: &stageContext)
                } catch {
                    throw .classifying(error, plugin: stage.plugin.id, slot: "stages[\(index)]")
                }
                newMasks = outcome.masks
                // Masks combine: a later stage cannot bring back a weight an earlier one pruned.
                masks.merge(outcome.masks, uniquingKeysWith: *)
                // Apply the masks at once, so the evaluation below and the next stage see the constrained model.
                applyMasks(masks)
                let set = try EvaluatorSet(
                    spec.eval.evaluators, catalog: run.catalog, stream: run.streams.forStage(index).evaluation)
                let evaluation = try set.evaluate(
                    model: model, split: data.test, task: task, step: offsets[index], folder: work.eval)
                details.merge(evaluation.details) { $1 }
                metrics = evaluation.metrics.merging(outcome.metrics) { $1 }
                try log(metrics, at: offsets[index], into: combined)
            case .model, .dataset, .optimizer:
                throw .invalidSpec("stages[\(index)]: '\(stage.plugin.id)' cannot be a stage")
            }
            try finish(stage, work: work, metrics: metrics, masks: newMasks)
            records.append(RunResult.Stage(name: stage.name, plugin: stage.plugin.id, metrics: metrics))
            context.status.heartbeat(step: offsets[index] + (stage.loop?.steps ?? 0), totalSteps: total)
            context.logger.info("stage finished", metadata: ["stage": "\(stage.name)"])
        }
        do { try PlotWriter.write(combined, to: context.folder.work.plots, seriesNames: task.classNames) } catch {
            context.logger.warning("cannot write plots", metadata: ["error": "\(error)"])
        }
        var final: [String: Double] = records.last?.metrics ?? [:]
        for record in records {
            for (k, v) in record.metrics { final["\(record.name).\(k)"] = v }
        }
        return .completed(
            RunResult(name: spec.name, steps: total, finalMetrics: final, details: details, stages: records))
    }

    // MARK: Helpers

    /// Steps the unfinished stage `index` has checkpointed, so the combined log keeps what it logged before.
    private func resumePoint(of index: Int) -> Int {
        guard index < spec.stages.count, spec.stages[index].plugin.kind == .method else { return 0 }
        let store = CheckpointStore(runDirectory: context.folder.stage(spec.stages[index].name).url)
        return (try? store.latestURL()).flatMap { $0 }.flatMap { try? Checkpoint.read(from: $0).step } ?? 0
    }

    private func log(_ metrics: [String: Double], at step: Int, into log: MetricsLog) throws(RunError) {
        do { try log.log(MetricRecord(step: step, values: metrics)) } catch {
            throw .io("cannot append to the run's metrics files: \(error)")
        }
    }

    private func applyMasks(_ masks: [String: Tensor]) {
        for p in model.namedParameters() {
            guard let mask = masks[p.name] else { continue }
            mask.withUnsafeElements { m in
                p.parameter.withUnsafeMutableElements { v in for i in v.indices { v[i] *= m[i] } }
            }
        }
    }

    private func finish(_ stage: StageSpec, work: WorkFolder, metrics: [String: Double], masks: [String: Tensor])
        throws(RunError)
    {
        do {
            try SafeTensors.write(model.parameterValues(), metadata: ["kiln.stage": stage.name], to: work.stageModel)
            if !masks.isEmpty { try SafeTensors.write(masks, to: work.stageMasks) }
            let record = RunResult.Stage(name: stage.name, plugin: stage.plugin.id, metrics: metrics)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            // Written last: its presence is what marks the stage finished.
            try AtomicFile.write(try encoder.encode(record), to: work.stageRecord)
        } catch {
            throw .io("cannot record the end of stage \(stage.name): \(error)")
        }
    }

    private func readRecord(_ work: WorkFolder) throws(RunError) -> RunResult.Stage {
        do { return try JSONDecoder().decode(RunResult.Stage.self, from: Data(contentsOf: work.stageRecord)) } catch {
            throw .io("cannot read \(work.stageRecord.path): \(error)")
        }
    }

    private func load(_ file: URL, into model: any Layer) throws(RunError) {
        do { try model.loadParameters(try SafeTensors.read(from: file).tensors) } catch {
            throw .runFolder(
                "cannot load the model a finished stage left in \(file.path): \(error); run with --restart")
        }
    }
}
