import Foundation
import Testing

/// `examples/custom-plugin` builds against Kiln's library products and its `kiln` runs the plugin it adds.
///
/// This builds a second copy of the package (debug, in `.build/examples/custom-plugin`, reused by later runs), so
/// it takes minutes on a cold cache. `KILN_SKIP_CUSTOM_PLUGIN_BUILD=1` skips it while iterating locally; CI
/// leaves it unset.
@Suite struct CustomPluginTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test(
        .enabled(if: ProcessInfo.processInfo.environment["KILN_SKIP_CUSTOM_PLUGIN_BUILD"] != "1"),
        .timeLimit(.minutes(30)))
    func theExamplePackageBuildsItsOwnKilnWithTheLionOptimizer() async throws {
        let example = Self.packageRoot.appendingPathComponent("examples/custom-plugin")
        let scratch = Self.packageRoot.appendingPathComponent(".build/examples/custom-plugin")
        let started = Date()
        var (status, output) = try await Self.build(example, scratch: scratch)
        if status != 0 {
            // A build folder kept from an earlier run can go stale when Kiln's own files are deleted or moved
            // (SwiftPM then looks for inputs that no longer exist); start from an empty one, once.
            try? FileManager.default.removeItem(at: scratch)
            (status, output) = try await Self.build(example, scratch: scratch)
        }
        print("custom-plugin build: \(Int(Date().timeIntervalSince(started))) s")
        try #require(status == 0, "swift build of examples/custom-plugin failed:\n\(output.suffix(4000))")

        let kiln = scratch.appendingPathComponent("debug/kiln-lion")
        let dir = try Scratch()
        func run(_ arguments: [String]) async throws -> KilnProcess.Result {
            try await KilnProcess.run(arguments, in: dir.url, executable: kiln)
        }
        let shown = try await run(["plugins", "optim.lion"])
        #expect(
            shown.status == 0 && shown.stdout.hasPrefix("optim.lion 0.1.0 (optimizer, optimizer.plugin) — Lion"),
            "\(shown)")
        #expect(shown.stdout.contains("  betas ") && shown.stdout.contains("Decoupled weight decay"))
        let listed = try await run(["plugins"])
        #expect(listed.stdout.contains("optim.lion") && listed.stdout.contains("optim.adamw"))

        let spec = try String(contentsOf: example.appendingPathComponent("lion-spirals.yaml"), encoding: .utf8)
        try dir.write("lion-spirals.yaml", spec.replacingOccurrences(of: "steps: 300", with: "steps: 60"))
        let ran = try await run(["run", "lion-spirals.yaml", "--quiet"])
        #expect(ran.status == 0, "\(ran.stderr)")
        let statusFile = try String(
            contentsOf: dir.url.appendingPathComponent("lion-spirals.run/status.json"), encoding: .utf8)
        #expect(statusFile.contains("\"state\" : \"succeeded\""))
        let checkpoint = try Data(
            contentsOf: dir.url.appendingPathComponent("lion-spirals.run/checkpoints/step-000060.safetensors"))
        #expect(
            String(decoding: checkpoint.prefix(4096), as: UTF8.self).contains("\"kiln.optimizer.slots\":\"exp_avg\""))
    }

    /// `swift build` of the example into `scratch`, time-boxed at 25 minutes (a cold build on two slow cores), with
    /// its exit status and output. Sleeps while waiting: the test must not hold a thread of the cooperative pool.
    static func build(_ package: URL, scratch: URL) async throws -> (status: Int32, output: String) {
        let build = Process()
        build.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        build.arguments = ["swift", "build", "--package-path", package.path, "--scratch-path", scratch.path]
        let log = FileManager.default.temporaryDirectory.appendingPathComponent(
            "kiln-custom-plugin-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        build.standardOutput = try FileHandle(forWritingTo: log)
        build.standardError = build.standardOutput
        let started = Date()
        try build.run()
        while build.isRunning && Date().timeIntervalSince(started) < 25 * 60 {
            try await Task.sleep(for: .seconds(0.2))
        }
        if build.isRunning {
            build.terminate()
            build.waitUntilExit()
        }
        return (build.terminationStatus, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }
}
