import Foundation
import PluginAPI
import Testing

@testable import Experiment

/// A model whose configuration does not fit the data, which only loading the data tells, stops as an invalid
/// spec naming the key to change (exit 2, `invalid_spec`), not as a failed plugin.
@Suite struct ConfigurationMismatchTests {
    @Test func aGPTContextShorterThanTheDataWindowsIsAnInvalidSpecAtModelContext() async throws {
        let dir = TemporaryDirectory()
        dir.write("story.txt", text: String(repeating: "Once upon a time the kiln was warm. ", count: 60))
        let (report, folder) = await RunHarness.run(
            """
            data: {dataset: data.text-file, file: story.txt, context: 64}
            model: {plugin: model.gpt, layers: 1, d_model: 16, heads: 2, context: 32}
            optimizer: {plugin: optim.adam}
            train: {method: train.next-token, steps: 5, batch: 4}
            """, name: "gpt-context", in: dir)
        let message = "model.context: 32 is shorter than the data's windows of 64 bytes; set it to at least the data's "
            + "context"
        #expect(report.state == .failed && report.failure == .invalidSpec)
        #expect(report.exitCode == KilnExitCode.invalidSpec)
        #expect(report.message == message)
        let status = try RunHarness.status(folder)
        #expect(status.state == .failed && status.failure == .invalidSpec && status.message == message)
        #expect(!FileManager.default.fileExists(atPath: folder.url.appendingPathComponent("checkpoints").path))
    }

    @Test func aMismatchThrownByAnyPluginIsClassifiedAsAnInvalidSpecUnderItsSlot() {
        let mismatch = ConfigurationMismatch(key: "groupSize", message: "16 does not divide the 2 inputs of layer 0")
        #expect(mismatch.description == "group_size: 16 does not divide the 2 inputs of layer 0")
        #expect(
            RunError.classifying(mismatch, plugin: "model.lowbit-mlp", slot: "model")
                == .invalidSpec("model.group_size: 16 does not divide the 2 inputs of layer 0"))
        #expect(
            RunError.classifying(RunError.io("disk full"), plugin: "model.mlp", slot: "model") == .io("disk full"))
        struct Other: Error, CustomStringConvertible { var description: String { "boom" } }
        #expect(
            RunError.classifying(Other(), plugin: "model.mlp", slot: "model")
                == .plugin(id: "model.mlp", message: "boom"))
    }
}
