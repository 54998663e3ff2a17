import TensorEngine

/// The run's independent random streams, all derived from the spec's seed, so that each part of a run draws the
/// same numbers whatever the others do (and however often the run was interrupted).
struct RunStreams {
    /// Dataset generation and splits.
    let data: RandomGenerator
    /// Model initialisation.
    let model: RandomGenerator
    /// Batch order (and augmentation).
    let batches: RandomGenerator
    /// The training method's randomness (saved in checkpoints as it advances).
    let method: RandomGenerator
    /// Stage plugins' randomness.
    let stage: RandomGenerator
    /// Evaluators' randomness (Monte Carlo certification); each evaluation derives its own from it.
    let evaluation: RandomGenerator

    init(seed: Int) {
        let root = RandomGenerator(seed: UInt64(truncatingIfNeeded: seed))
        self.init(
            data: root.derived(1), model: root.derived(2), batches: root.derived(3), method: root.derived(4),
            stage: root.derived(5), evaluation: root.derived(6))
    }

    private init(
        data: RandomGenerator, model: RandomGenerator, batches: RandomGenerator, method: RandomGenerator,
        stage: RandomGenerator, evaluation: RandomGenerator
    ) {
        self.data = data
        self.model = model
        self.batches = batches
        self.method = method
        self.stage = stage
        self.evaluation = evaluation
    }

    /// The streams of stage `index` of a chain: data and model stay the run's, the rest get their own.
    func forStage(_ index: Int) -> RunStreams {
        let salt = UInt64(1000 + index)
        return RunStreams(
            data: data, model: model, batches: batches.derived(salt), method: method.derived(salt),
            stage: stage.derived(salt), evaluation: evaluation.derived(salt))
    }

    /// The key of each stream, for provenance.
    var seeds: [String: UInt64] {
        ["data": data.seed, "model": model.seed, "batches": batches.seed, "method": method.seed, "stage": stage.seed,
         "evaluation": evaluation.seed]
    }
}
