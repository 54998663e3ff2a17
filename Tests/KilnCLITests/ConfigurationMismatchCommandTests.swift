import Foundation
import Testing

/// A model configuration that validates but does not fit the data, as the real `kiln` reports it: exit 2 and
/// `invalid_spec`, with the key to change, not exit 1 and `plugin_error`.
@Suite struct ConfigurationMismatchCommandTests {
    @Test func aLowbitGroupThatDoesNotDivideTheSpiralsTwoInputsExitsAsAnInvalidSpec() async throws {
        let dir = try Scratch()
        try dir.write(
            "lowbit.yaml",
            """
            data: {dataset: data.spirals, points_per_class: 20, test_points_per_class: 10}
            model: {plugin: model.lowbit-mlp, hidden: [16], group_size: 16}
            optimizer: {plugin: optim.adam}
            train: {method: train.supervised, steps: 5, batch: 8}
            resources: {threads: 1}
            """)
        // `kiln validate` cannot know the data's width; the run finds out when it builds the model.
        let validate = try await KilnProcess.run(["validate", "lowbit.yaml"], in: dir.url)
        #expect(validate.status == 0, "\(validate.stdout)\(validate.stderr)")
        let run = try await KilnProcess.run(["run", "lowbit.yaml", "--quiet"], in: dir.url)
        let message =
            "model.group_size: 16 does not divide the 2 inputs of layer 0; set quantize_input: false to keep the "
            + "first layer in full precision"
        #expect(run.status == 2, "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").last.map(String.init) == message, "\(run.stderr)")
        let status = try #require(
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: dir.url.appendingPathComponent("lowbit.run/status.json"))) as? [String: Any])
        #expect(status["state"] as? String == "failed")
        #expect(status["failure"] as? String == "invalid_spec")
        #expect(status["message"] as? String == message)
    }
}
