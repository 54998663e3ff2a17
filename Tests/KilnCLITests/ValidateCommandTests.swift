import Foundation
import Testing

/// `kiln validate`: exit codes and the report, from real files through the real executable.
@Suite struct ValidateCommandTests {
    static let valid = """
        data: {dataset: data.spirals}
        model: {plugin: model.mlp, hidden: [16]}
        optimizer: {plugin: optim.adamw, lr: 0.01}
        train: {method: train.supervised, steps: 10}
        eval: {evaluators: [eval.accuracy]}
        """

    @Test func aValidSpecExitsZero() async throws {
        let dir = try Scratch()
        try dir.write("ok.yaml", Self.valid)
        let result = try await KilnProcess.run(["validate", "ok.yaml"], in: dir.url)
        #expect(result.status == 0)
        #expect(result.stdout == "ok.yaml: valid (1 run)\n")
        #expect(
            !FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("ok.run").path),
            "validate writes nothing")
    }

    @Test func aSweepReportsItsRuns() async throws {
        let dir = try Scratch()
        try dir.write("sweep.yaml", Self.valid + "\nsweep: {optimizer.lr: [0.1, 0.01, 0.001]}\n")
        let result = try await KilnProcess.run(["validate", "sweep.yaml"], in: dir.url)
        #expect(result.status == 0 && result.stdout == "sweep.yaml: valid (a sweep of 3 runs)\n")
    }

    @Test func anInvalidSpecExitsTwoWithEveryProblemOnStdout() async throws {
        let dir = try Scratch()
        try dir.write(
            "bad.yaml",
            """
            data: {dataset: data.spirals, clases: 3}
            model: {plugin: model.mlp, hidden: [0]}
            optimizer: {plugin: optim.adamv}
            train: {method: train.supervised, steps: 0}
            """)
        let result = try await KilnProcess.run(["validate", "bad.yaml"], in: dir.url)
        #expect(result.status == 2)
        #expect(
            result.stdout.split(separator: "\n") == [
                "bad.yaml:1:31: data.clases: unknown key 'clases'; did you mean 'classes'?",
                "bad.yaml:2:37: model.hidden[0]: must be >= 1 (got 0)",
                "bad.yaml:3:21: optimizer.plugin: unknown optimizer plugin 'optim.adamv'; did you mean 'optim.adam', 'optim.adamw'?",
                "bad.yaml:4:42: train.steps: must be >= 1 (got 0)",
            ], "\(result.stdout)")
        #expect(result.stderr == "bad.yaml: invalid (4 problems)\n")
    }

    @Test func pluginsThatCannotWorkTogetherAreInvalid() async throws {
        let dir = try Scratch()
        try dir.write("text.yaml", Self.valid.replacingOccurrences(of: "data.spirals", with: "data.text"))
        let result = try await KilnProcess.run(["validate", "text.yaml"], in: dir.url)
        #expect(result.status == 2)
        #expect(
            result.stdout
                == "text.yaml:4:17: train.method: 'train.supervised' trains on labeled or graph data, but 'data.text' "
                + "gives text data\n"
        )
        // With a typo elsewhere, both come in the one report, each at its position.
        try dir.write("both.yaml", Self.valid.replacingOccurrences(of: "data.spirals", with: "data.text")
            .replacingOccurrences(of: "hidden", with: "hiden"))
        let both = try await KilnProcess.run(["validate", "both.yaml"], in: dir.url)
        #expect(both.status == 2)
        #expect(
            both.stdout.split(separator: "\n") == [
                "both.yaml:2:28: model.hiden: unknown key 'hiden'; did you mean 'hidden'?",
                "both.yaml:4:17: train.method: 'train.supervised' trains on labeled or graph data, but 'data.text' "
                    + "gives text data",
            ], "\(both.stdout)")
    }

    @Test func pathsOutsideTheDataRootsAndMissingFilesAreInvalid() async throws {
        let dir = try Scratch()
        try dir.write(
            "inside/p.yaml",
            Self.valid.replacingOccurrences(
                of: "{dataset: data.spirals}", with: "{dataset: data.csv, file: ../secret.csv}"))
        try dir.write("secret.csv", "a,label\n1,0\n")
        let escaped = try await KilnProcess.run(["validate", "inside/p.yaml"], in: dir.url)
        #expect(
            escaped.status == 2
                && escaped.stdout.hasPrefix(
                    "inside/p.yaml:1:33: data.file: '../secret.csv' uses '..' to leave the data roots"),
            "\(escaped.stdout)")
        let allowed = try await KilnProcess.run(["validate", "inside/p.yaml", "--data-root", "."], in: dir.url)
        #expect(allowed.status == 0, "\(allowed.stdout)")
        let missing = try await KilnProcess.run(["validate", "nope.yaml"], in: dir.url)
        #expect(missing.status == 2 && missing.stdout.hasPrefix("nope.yaml: "), "\(missing.stdout)")
    }

    @Test func runRefusesAnInvalidSpecWithTheSameReport() async throws {
        let dir = try Scratch()
        try dir.write("bad.yaml", Self.valid.replacingOccurrences(of: "steps: 10", with: "steps: -1"))
        let result = try await KilnProcess.run(["run", "bad.yaml"], in: dir.url)
        #expect(result.status == 2)
        #expect(result.stderr == "bad.yaml:4:42: train.steps: must be >= 1 (got -1)\n", "\(result.stderr)")
        let status = try String(contentsOf: dir.url.appendingPathComponent("bad.run/status.json"), encoding: .utf8)
        #expect(status.contains("\"state\" : \"failed\"") && status.contains("\"failure\" : \"invalid_spec\""))
    }
}
