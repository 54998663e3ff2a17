import PluginAPI
import TensorEngine
import TensorNN
import Testing

@testable import Experiment

/// `eval.accuracy` against hand-computed values.
@Suite struct AccuracyEvaluatorTests {
    @Test func metricsFromAConfusionMatrix() throws {
        // Rows: true class; columns: predicted. Class 2 has no test examples.
        let evaluation = AccuracyPlugin.summarize(
            [[8, 2, 0], [3, 1, 0], [0, 0, 0]], perClass: true, classNames: ["a", "b", "c"])
        #expect(evaluation.metrics["accuracy"] == 9.0 / 14)
        #expect(evaluation.metrics["class_accuracy.0"] == 0.8)
        #expect(evaluation.metrics["class_accuracy.1"] == 0.25)
        #expect(evaluation.metrics["class_accuracy.2"] == nil)
        #expect(evaluation.metrics["balanced_accuracy"] == (0.8 + 0.25) / 2)
        #expect(evaluation.metrics["worst_class_accuracy"] == 0.25)
        #expect(evaluation.details["worst_class"] == "b")
        #expect(evaluation.details["confusion_matrix"] == [[8, 2, 0], [3, 1, 0], [0, 0, 0]])
    }

    @Test func evaluatesAModelOnASplit() throws {
        // A linear model that predicts class = argmax of the input, on inputs whose labels agree 3 times in 4.
        let model = FlatMLP(
            layers: Sequential([Linear(weight: Tensor([2, 2], [1, 0, 0, 1]), bias: Tensor([2], [0, 0]))]))
        let split = DataSplit(inputs: Tensor([4, 2], [1, 0, 0, 1, 1, 0, 0, 1]), labels: Tensor([4], [0, 1, 0, 0]))
        let evaluation = try AccuracyPlugin.evaluate(
            AccuracyPlugin.Config(), model: model, split: split, task: TaskInfo(exampleShape: [2], classCount: 2))
        #expect(evaluation.metrics["accuracy"] == 0.75)
        #expect(evaluation.metrics["class_accuracy.0"] == 2.0 / 3)
        #expect(evaluation.metrics["class_accuracy.1"] == 1)
        #expect(evaluation.metrics["worst_class_accuracy"] == 2.0 / 3)
        #expect(evaluation.details["confusion_matrix"] == [[2, 1], [0, 1]])
    }
}
