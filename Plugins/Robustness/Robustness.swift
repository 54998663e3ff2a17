public import Experiment

/// The plugins of this target, for `kiln/main.swift`'s list.
public enum RobustnessPlugins {
    /// `train.gaussian-noise`, `train.eigen-reg`, `eval.certify` and `eval.predict`.
    public static let all: [any KilnPlugin.Type] = [
        GaussianNoisePlugin.self, EigenRegPlugin.self, CertifyPlugin.self, PredictPlugin.self,
    ]
}

/// Labels of the examples at `indices` must be classes of the task; the evaluators check before sampling.
func checkLabels(_ labels: [Float], at indices: [Int], classCount: Int) throws(RobustnessError) {
    for i in indices where !(labels[i] >= 0 && labels[i] < Float(classCount) && labels[i].rounded() == labels[i]) {
        throw .labelOutOfRange(index: i, label: labels[i], classCount: classCount)
    }
}
