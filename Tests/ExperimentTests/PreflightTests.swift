import Experiment
import Foundation
import Testing

/// Plugins checked against each other: in the same pass as the loader's problems, at file, line and column.
@Suite struct PreflightTests {
    static func validate(_ yaml: String) -> [String] {
        let dir = TemporaryDirectory()
        let url = dir.write("spec.yaml", text: yaml)
        let problems = ExperimentRunner(catalog: RunHarness.catalog, options: RunHarness.options)
            .validate(specAt: url).problems
        return problems.map { $0.hasPrefix(url.path) ? "spec.yaml" + $0.dropFirst(url.path.count) : $0 }
    }

    @Test func misfitsAreReportedBesideTheLoadersProblemsInFileOrder() {
        #expect(
            Self.validate(
                """
                data: {dataset: data.sbm, augment: {flip: 0.5}}
                model: {plugin: model.convnet, chanels: [4]}
                optimizer: {plugin: optim.sgd, lr: 0.1}
                train: {method: train.supervised, steps: 0}
                """) == [
                    "spec.yaml:1:36: data.augment: image transforms need image examples [C, H, W], but 'data.sbm' "
                        + "gives graph data",
                    "spec.yaml:2:17: model.plugin: 'model.convnet' needs images [C, H, W], but 'data.sbm' gives a "
                        + "graph (node feature vectors)",
                    "spec.yaml:2:32: model.chanels: unknown key 'chanels'; did you mean 'channels'?",
                    "spec.yaml:4:42: train.steps: must be >= 1 (got 0)",
                ])
    }

    @Test func aChainThatNeverTrainsIsPointedAt() {
        #expect(
            Self.validate(
                """
                data: {dataset: data.blobs}
                model: {plugin: model.mlp}
                stages:
                  - {plugin: eval.accuracy}
                """) == [
                    "spec.yaml:4:3: stages: no stage trains and there is no start_from, so the model stays at its "
                        + "random start"
                ])
    }

    @Test func aMisfitEveryChildGetsFromItsOwnSweptValueIsReportedOnce() {
        #expect(
            Self.validate(
                """
                data: {dataset: data.blobs}
                model: {plugin: model.mlp}
                optimizer: {plugin: optim.sgd, lr: 0.1}
                train: {method: train.supervised, steps: 5}
                sweep: {data.augment.flip: [0.1, 0.2]}
                """) == [
                    "spec.yaml:5:29: data.augment: image transforms need image examples [C, H, W], but 'data.blobs' "
                        + "gives examples of shape [2]"
                ])
    }

    @Test func aSweepsChildrenShareOneReportOfTheirCommonMisfit() {
        #expect(
            Self.validate(
                """
                data: {dataset: data.text}
                model: {plugin: model.mlp}
                optimizer: {plugin: optim.sgd, lr: 0.1}
                train: {method: train.supervised, steps: 5}
                sweep: {optimizer.lr: [0.1, 0.2, 0.3]}
                """) == [
                    "spec.yaml:4:17: train.method: 'train.supervised' trains on labeled or graph data, but 'data.text' "
                        + "gives text data"
                ])
    }
}
