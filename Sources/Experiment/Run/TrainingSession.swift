import Foundation
import Logging
import PluginAPI
import Spec
import TensorEngine
import TensorNN

/// One training loop over one work folder: the whole run for a spec with `train:`, or one training stage.
///
/// Per step: clear gradients, ask the method for the loss, check it is finite, back-propagate, step the
/// optimizer, re-apply masks. At step boundaries: log metrics, evaluate and checkpoint on their cadences,
/// heartbeat, and honour a stop request (checkpoint, then return `interrupted`). A checkpoint holds everything the
/// next steps depend on — parameters, optimizer slots and step counts, the method's random stream and the batch
/// order's position — so resuming from it gives bit-identical parameters for the same seed and thread count.
final class TrainingSession {
    /// What the session ended with.
    enum Outcome {
        /// Every step ran; the final metrics (train and test).
        case completed(metrics: [String: Double], details: [String: ConfigObject])
        /// Stopped by a request after checkpointing at `step`.
        case interrupted(step: Int)
    }

    let context: RunContext
    let work: WorkFolder
    let label: String
    let model: any Layer
    let modelID: String
    var method: any MethodPlugin
    let methodID: String
    let optimizer: any Optimizer
    let data: LabeledDataset
    let task: TaskInfo
    let loop: TrainingLoop
    let evaluators: EvaluatorSet
    let evalEvery: Int
    let checkpointEvery: Int
    let keep: Int
    let masks: [String: Tensor]
    let batchStream: RandomGenerator
    /// Random transforms of each training batch (`data.augment`'s crop and flip), drawn from the batch stream.
    let augmentation: ImageAugmentation?
    var rng: RandomGenerator
    let stepOffset: Int
    let totalSteps: Int
    /// Where the session's numbers also go, on the run's global step axis (a stage chain's combined log), with
    /// the offset of this session's step 0 on that axis.
    let mirror: (MetricsLog, Int)?

    init(
        context: RunContext, work: WorkFolder, label: String, model: any Layer, modelID: String,
        method: any MethodPlugin, methodID: String, optimizer: any Optimizer, data: LabeledDataset, task: TaskInfo,
        loop: TrainingLoop, evaluators: EvaluatorSet, evalEvery: Int, checkpoint: CheckpointPolicy,
        masks: [String: Tensor], batchStream: RandomGenerator, augmentation: ImageAugmentation? = nil,
        methodStream: RandomGenerator, stepOffset: Int = 0, totalSteps: Int? = nil, mirror: (MetricsLog, Int)? = nil
    ) {
        self.context = context
        self.work = work
        self.label = label
        self.model = model
        self.modelID = modelID
        self.method = method
        self.methodID = methodID
        self.optimizer = optimizer
        self.data = data
        self.task = task
        self.loop = loop
        self.evaluators = evaluators
        self.evalEvery = evalEvery
        self.checkpointEvery = checkpoint.every
        self.keep = checkpoint.keep
        self.masks = masks
        self.batchStream = batchStream
        self.augmentation = augmentation
        self.rng = methodStream
        self.stepOffset = stepOffset
        self.totalSteps = totalSteps ?? loop.steps
        self.mirror = mirror
    }

    private enum MetadataKey {
        static let methodRNG = "run.method_rng"
        static let batches = "run.batches"
        static let config = "run.config_hash"
        static let threads = "run.threads"
        static let stage = "run.stage"
    }

    /// Runs (or resumes) the loop to its last step or a stop request.
    func run() throws(RunError) -> Outcome {
        try work.create()
        guard data.train.count > 0 else { throw .plugin(id: methodID, message: "the training split is empty") }
        let store = CheckpointStore(runDirectory: work.url, keepLast: keep == 0 ? Int.max : keep)
        var iterator = BatchIterator(
            split: data.train, batchSize: loop.batch, augmentation: augmentation, generator: batchStream)
        var step = 0
        if let checkpoint = try latestCheckpoint(in: store) {
            iterator = try restore(checkpoint, split: data.train)
            step = checkpoint.step
            context.logger.info(
                "resuming from checkpoint",
                metadata: meta(["step": "\(step)", "file": "\(checkpoint.source?.path ?? "")"]))
        }
        let metrics: MetricsLog
        do {
            metrics = try MetricsLog(folder: work.url, resumeStep: step)
        } catch {
            throw .io("cannot open the metrics files in \(work.url.path): \(error)")
        }
        context.logger.info(
            "training started",
            metadata: meta([
                "steps": "\(loop.steps)", "batch": "\(loop.batch)", "method": "\(methodID)",
                "parameters": "\(model.parameterCount)", "start_step": "\(step)",
            ]))
        let logEvery = Swift.max(1, loop.steps / 500)
        var lastLoss = Double.nan
        let clock = ContinuousClock.now
        let firstStep = step
        var details: [String: ConfigObject] = [:]

        while step < loop.steps {
            if context.stop.isRequested {
                if !hasCheckpoint(store, at: step) { try save(step, iterator, store) }
                context.logger.info(
                    "stopping on request",
                    metadata: meta(["step": "\(step)", "signal": "\(context.stop.requestReason ?? "")"]))
                return .interrupted(step: step)
            }
            if let limit = context.maxMinutes, context.elapsedMinutes >= limit {
                try save(step, iterator, store)
                throw .wallClockLimit(minutes: limit, step: stepOffset + step)
            }
            guard let batch = iterator.next() ?? iterator.next() else {
                throw .plugin(id: methodID, message: "the batch iterator returned no batch")
            }
            let lr = optimizer.currentLearningRates.first ?? 0
            optimizer.zeroGrad()
            model.zeroGrad()
            let output: MethodOutput
            do { output = try method.loss(model: model, batch: batch, rng: &rng) } catch {
                throw .plugin(id: methodID, message: "\(error)")
            }
            guard output.loss.count == 1 else {
                throw .plugin(id: methodID, message: "the loss must be a scalar, got shape \(output.loss.shape)")
            }
            let loss = output.loss.item
            guard loss.isFinite else {
                let (tensor, detail) = NonFiniteCheck.diagnose(
                    inputs: batch.inputs, model: model, watched: output.watched, loss: output.loss)
                throw .nonFiniteLoss(step: stepOffset + step + 1, tensor: tensor, detail: detail)
            }
            output.loss.backward()
            let logsThisStep = (step + 1) % logEvery == 0 || step + 1 == loop.steps
            // Taken before the optimizer step, from the raw gradients, so every optimizer's spikes show alike.
            let gradientNorm = logsThisStep ? Self.gradientNorm(of: model) : nil
            optimizer.step()
            applyMasks()
            step += 1
            lastLoss = Double(loss)

            var values: [String: Double] = [:]
            if logsThisStep {
                values["loss"] = Double(loss)
                values["train.grad_norm"] = gradientNorm
                // `train.lr`, not `lr`: a sweep over `optimizer.lr` names its column `lr` in the summary.
                values["train.lr"] = lr
                for (k, v) in output.metrics { values["train.\(k)"] = v }
                for (k, v) in optimizer.metrics { values["optim.\(k)"] = v }
            }
            if (evalEvery > 0 && step % evalEvery == 0) || step == loop.steps {
                let evaluation = try evaluators.evaluate(
                    model: model, split: data.test, task: task, step: stepOffset + step, folder: work.eval)
                values.merge(evaluation.metrics) { $1 }
                details = evaluation.details
                context.logger.info("evaluated", metadata: meta(Self.headline(evaluation.metrics, step: step)))
            }
            if !values.isEmpty {
                do {
                    try metrics.log(MetricRecord(step: step, values: values))
                    if let (log, offset) = mirror { try log.log(MetricRecord(step: offset + step, values: values)) }
                } catch {
                    throw .io("cannot append to the metrics files in \(work.url.path): \(error)")
                }
            }
            if (checkpointEvery > 0 && step % checkpointEvery == 0) || step == loop.steps {
                try save(step, iterator, store)
            }
            if values.keys.contains(where: { $0.hasPrefix("test.") }) { writePlots(metrics) }
            try heartbeat(step: step)
            progress(step: step, since: clock, from: firstStep, loss: lastLoss)
        }
        context.terminal.clearProgress()
        if firstStep == loop.steps && !evaluators.members.isEmpty {
            // Resumed after the last checkpoint but before the run recorded its end: the details of the final
            // evaluation are not in any file, so evaluate again (it changes no state).
            details = try evaluators.evaluate(
                model: model, split: data.test, task: task, step: stepOffset + step, folder: work.eval
            ).details
        }
        writePlots(metrics)
        if let (log, _) = mirror { writePlots(log, to: context.folder.work.plots) }
        var final = metrics.latestValues
        final["loss"] = lastLoss.isNaN ? final["loss"] : lastLoss
        context.logger.info("training finished", metadata: meta(["step": "\(step)"]))
        return .completed(metrics: final, details: details)
    }

    // MARK: Checkpoints

    /// The newest checkpoint that reads back; an unreadable newest one (a disk error) falls back to an older one.
    private func latestCheckpoint(in store: CheckpointStore) throws(RunError) -> Checkpoint? {
        var candidates: [URL] = []
        if let latest = try? store.latestURL() { candidates.append(latest) }
        let steps = (try? store.steps()) ?? []
        candidates += steps.reversed().map { store.url(forStep: $0) }
        var seen = Set<URL>()
        for url in candidates where seen.insert(url).inserted {
            do {
                let checkpoint = try Checkpoint.read(from: url)
                try checkCompatible(checkpoint)
                return checkpoint
            } catch let error as RunError {
                throw error
            } catch {
                context.logger.warning(
                    "skipping unreadable checkpoint", metadata: meta(["file": "\(url.path)", "error": "\(error)"]))
            }
        }
        return nil
    }

    private func checkCompatible(_ checkpoint: Checkpoint) throws(RunError) {
        let hash = checkpoint.metadata[MetadataKey.config]
        guard hash == context.configHash else {
            throw .runFolder(
                "\(work.url.path) holds checkpoints of other experiment settings; run with --restart to discard them")
        }
        if let threads = checkpoint.metadata[MetadataKey.threads], threads != "\(context.threads)" {
            context.logger.warning(
                "resuming with another thread count; parameters may differ in the last bits from an uninterrupted run",
                metadata: meta(["checkpoint_threads": "\(threads)", "threads": "\(context.threads)"]))
        }
    }

    private func restore(_ checkpoint: Checkpoint, split: DataSplit) throws(RunError) -> BatchIterator {
        do {
            try checkpoint.restore(into: model, optimizer: optimizer)
            rng = try checkpoint.metadata(RandomGenerator.self, forKey: MetadataKey.methodRNG)
            let position = try checkpoint.metadata(BatchSamplerState.self, forKey: MetadataKey.batches)
            guard position.position <= split.count else {
                throw CheckpointError.incompatible(
                    path: checkpoint.source?.path ?? "", reason: "batch position past the split")
            }
            return BatchIterator(split: split, batchSize: loop.batch, augmentation: augmentation, state: position)
        } catch {
            throw .runFolder("cannot resume from \(checkpoint.source?.path ?? "checkpoint"): \(error)")
        }
    }

    private func save(_ step: Int, _ iterator: BatchIterator, _ store: CheckpointStore) throws(RunError) {
        var checkpoint = Checkpoint(step: step, pluginID: modelID, model: model, optimizer: optimizer)
        checkpoint.metadata[MetadataKey.methodRNG] = Self.json(rng)
        checkpoint.metadata[MetadataKey.batches] = Self.json(iterator.state)
        checkpoint.metadata[MetadataKey.config] = context.configHash
        checkpoint.metadata[MetadataKey.threads] = "\(context.threads)"
        checkpoint.metadata[MetadataKey.stage] = label
        do {
            let url = try store.save(checkpoint)
            context.logger.info(
                "checkpoint saved", metadata: meta(["step": "\(step)", "file": "\(url.lastPathComponent)"]))
        } catch {
            throw .io("cannot save the checkpoint of step \(step): \(error)")
        }
    }

    /// Sorted-key JSON, so equal states give byte-identical checkpoint files.
    private static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self)
    }

    private func hasCheckpoint(_ store: CheckpointStore, at step: Int) -> Bool {
        FileManager.default.fileExists(atPath: store.url(forStep: step).path)
    }

    // MARK: Step boundary

    /// The global L2 norm of the model's accumulated gradients (in Float64 over every trainable parameter).
    static func gradientNorm(of model: any Layer) -> Double {
        var sum = 0.0
        for p in model.trainableParameters() {
            p.parameter.grad?.withUnsafeElements { g in for v in g { sum += Double(v) * Double(v) } }
        }
        return sum.squareRoot()
    }

    private func applyMasks() {
        guard !masks.isEmpty else { return }
        for p in model.namedParameters() {
            guard let mask = masks[p.name] else { continue }
            mask.withUnsafeElements { m in
                p.parameter.withUnsafeMutableElements { v in
                    for i in v.indices { v[i] *= m[i] }
                }
            }
        }
    }

    private func heartbeat(step: Int) throws(RunError) {
        context.status.heartbeat(step: stepOffset + step, totalSteps: totalSteps)
        if let limit = context.memoryLimitMB, let resident = RunContext.residentMB(), resident > limit {
            throw .outOfMemory(limitMB: limit, residentMB: resident, step: stepOffset + step)
        }
    }

    private func progress(step: Int, since start: ContinuousClock.Instant, from first: Int, loss: Double) {
        guard context.terminal.isTerminal else { return }
        let elapsed = ContinuousClock.now - start
        let line = ProgressLine(
            prefix: context.progressPrefix, label: label, step: step, total: loop.steps, firstStep: first,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, loss: loss)
        context.terminal.setProgress(line.text, force: step == loop.steps)
    }

    private func writePlots(_ log: MetricsLog, to folder: URL? = nil) {
        do { try PlotWriter.write(log, to: folder ?? work.plots, seriesNames: task.classNames) } catch {
            context.logger.warning("cannot write plots", metadata: meta(["error": "\(error)"]))
        }
    }

    private func meta(_ values: [String: String]) -> Logger.Metadata {
        var m = Logger.Metadata()
        for (k, v) in values { m[k] = .string(v) }
        if !label.isEmpty { m["stage"] = .string(label) }
        return m
    }

    /// The metrics worth a log line: the overall ones, not every class.
    static func headline(_ metrics: [String: Double], step: Int) -> [String: String] {
        var out = ["step": "\(step)"]
        for (k, v) in metrics where PlotWriter.split(k).member == nil { out[k] = String(format: "%.4g", v) }
        return out
    }
}
