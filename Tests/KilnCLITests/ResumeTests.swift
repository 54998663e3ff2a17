import Foundation
import TensorEngine
import TensorNN
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Interrupted runs resume to bit-identical parameters: real `kiln` child processes, real signals.
@Suite(.serialized) struct ResumeTests {
    /// Long enough (600 steps of a 768→128→6 MLP on 64 images, about half a second) that a run can be stopped
    /// in the middle; two threads, so the parallel kernels are part of what must reproduce; random crops and
    /// flips, so the augmentation stream is too.
    static let spec = """
        seed: 21
        data: {dataset: data.images, classes: 6, channels: 3, height: 16, width: 16,
               train_per_class: 120, test_per_class: 20, difficulty: 0.5,
               augment: {crop_padding: 2, flip: 0.5, normalize: true}}
        model: {plugin: model.mlp, hidden: [128]}
        optimizer: {plugin: optim.adamw, lr: 0.002, schedule: {kind: cosine, warmup: 20}}
        train: {method: train.supervised, steps: 600, batch: 64, label_smoothing: 0.05}
        eval: {every: 200, evaluators: [eval.accuracy]}
        checkpoint: {every: 20, keep: 2}
        resources: {threads: 2}
        """

    @Test func killedAtRandomStepsAndResumedGivesBitIdenticalParameters() async throws {
        let dir = try Scratch()
        try dir.write("reference.yaml", Self.spec)
        try dir.write("killed.yaml", Self.spec)
        let reference = try await KilnProcess.run(["run", "reference.yaml"], in: dir.url, timeout: 300)
        #expect(reference.status == 0, "\(reference.stderr)")

        var generator = SystemRandomNumberGenerator()
        var lastKill = 0
        for attempt in 1...3 {
            let target = Int.random(in: (lastKill + 20)...(lastKill + 120), using: &generator)
            let child = try KilnProcess(["run", "killed.yaml", "--quiet"], in: dir.url)
            let reached = await Self.waitForStep(target, in: dir.url.appendingPathComponent("killed.run"), while: child)
            child.send(SIGKILL)
            let result = await child.wait()
            print("kill -9 #\(attempt): aimed at step \(target), killed at step ≥ \(reached)")
            #expect(child.process.terminationReason == .uncaughtSignal, "attempt \(attempt) finished before the kill")
            #expect(result.status == SIGKILL)
            lastKill = reached
        }
        let status = try String(contentsOf: dir.url.appendingPathComponent("killed.run/status.json"), encoding: .utf8)
        #expect(status.contains("\"state\" : \"running\""), "a killed run cannot record its end")
        let final = try await KilnProcess.run(["run", "killed.yaml"], in: dir.url, timeout: 300)
        #expect(final.status == 0, "\(final.stderr)")
        let log = try String(contentsOf: dir.url.appendingPathComponent("killed.run/run.log"), encoding: .utf8)
        #expect(log.components(separatedBy: "resuming from checkpoint").count - 1 >= 2, "resumed at least twice")
        #expect(log.contains("previous attempt ended without recording its state"))
        try Self.expectSameFinalState(
            dir.url.appendingPathComponent("reference.run"), dir.url.appendingPathComponent("killed.run"), step: 600)
        // The metrics files come out as the uninterrupted run's, line for line.
        let a = try String(contentsOf: dir.url.appendingPathComponent("reference.run/metrics.jsonl"), encoding: .utf8)
        let b = try String(contentsOf: dir.url.appendingPathComponent("killed.run/metrics.jsonl"), encoding: .utf8)
        #expect(a == b)
    }

    /// Either stop signal (SIGTERM from the daemon or `kill`, SIGINT from Ctrl-C) checkpoints at the next step,
    /// exits 0 as `interrupted`, and the run resumes to the uninterrupted run's final state.
    @Test(arguments: [SIGTERM, SIGINT])
    func aStopSignalCheckpointsMarksInterruptedAndResumeCompletes(_ signal: Int32) async throws {
        let name = signal == SIGINT ? "SIGINT" : "SIGTERM"
        let dir = try Scratch()
        try dir.write("reference.yaml", Self.spec)
        try dir.write("stopped.yaml", Self.spec)
        let reference = try await KilnProcess.run(["run", "reference.yaml", "--quiet"], in: dir.url, timeout: 300)
        #expect(reference.status == 0)

        let child = try KilnProcess(["run", "stopped.yaml"], in: dir.url)
        let reached = await Self.waitForStep(
            Int.random(in: 30...300), in: dir.url.appendingPathComponent("stopped.run"), while: child)
        let before = Self.signalState(of: child.pid)
        let sent = Date()
        child.send(signal)
        try? await Task.sleep(for: .milliseconds(20))
        let afterSending = Self.signalState(of: child.pid)
        let result = await child.wait(timeout: 30)
        let seconds = Date().timeIntervalSince(sent)
        #expect(
            result.status == 0 && child.process.terminationReason == .exit,
            "exit \(result.status) (\(child.process.terminationReason == .exit ? "exit" : "signal")): \(result.stderr.suffix(3000))"
        )
        #expect(seconds < 10, "stopping took \(seconds) s")
        #expect(
            result.stderr.contains("interrupted by \(name) at step"),
            "before:\n\(before)\nafter sending:\n\(afterSending)\n\(result.stderr.suffix(3000))")
        let folder = dir.url.appendingPathComponent("stopped.run")
        let status =
            try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("status.json")))
            as? [String: Any]
        #expect(status?["state"] as? String == "interrupted")
        let step = try #require(status?["step"] as? Int)
        #expect(step >= reached && step < 600)
        // The checkpoint is at the step the run stopped at, and `latest` names it.
        let latest = try String(contentsOf: folder.appendingPathComponent("checkpoints/latest"), encoding: .utf8)
        #expect(latest == String(format: "step-%06d.safetensors\n", step))
        #expect(
            try Checkpoint.read(
                from: folder.appendingPathComponent("checkpoints").appendingPathComponent(
                    latest.trimmingCharacters(in: .newlines))
            ).step == step)

        let resumed = try await KilnProcess.run(["run", "stopped.yaml", "--quiet"], in: dir.url, timeout: 300)
        #expect(resumed.status == 0 && resumed.stderr.contains("kiln: finished"), "\(resumed.stderr)")
        let after = try String(contentsOf: folder.appendingPathComponent("status.json"), encoding: .utf8)
        #expect(after.contains("\"state\" : \"succeeded\"") && after.contains("\"attempt\" : 2"))
        try Self.expectSameFinalState(dir.url.appendingPathComponent("reference.run"), folder, step: 600)
    }

    @Test func aStopThatMissesTheDeadlineStillEndsInterruptedWithExitZero() async throws {
        let dir = try Scratch()
        // Generating 12 000 images takes long enough that the stop request arrives before the first step, and
        // the 1 ms deadline passes while the data is still being made.
        try dir.write(
            "slow.yaml",
            Self.spec.replacingOccurrences(of: "height: 16, width: 16", with: "height: 32, width: 32")
                .replacingOccurrences(of: "train_per_class: 120", with: "train_per_class: 2000"))
        let child = try KilnProcess(["run", "slow.yaml", "--stop-deadline", "0.001"], in: dir.url)
        let status = dir.url.appendingPathComponent("slow.run/status.json")
        while child.process.isRunning && !FileManager.default.fileExists(atPath: status.path) {
            try? await Task.sleep(for: .milliseconds(1))
        }
        child.send(SIGTERM)
        // How the child held the signal a moment later (pending, blocked, ignored, caught), for a failure report.
        try? await Task.sleep(for: .milliseconds(20))
        let signalState = Self.signalState(of: child.pid)
        let result = await child.wait(timeout: 30)
        #expect(
            result.status == 0 && child.process.terminationReason == .exit,
            "exit \(result.status) (\(child.process.terminationReason == .exit ? "exit" : "signal")): \(result.stderr.suffix(3000))"
        )
        #expect(
            result.stderr.contains("kiln: the stop deadline passed; exiting without a final checkpoint"),
            "\(signalState)\n\(result.stderr.suffix(3000))")
        let text = try String(contentsOf: status, encoding: .utf8)
        #expect(
            text.contains("\"state\" : \"interrupted\"") && text.contains("before the next step boundary"), "\(text)")
    }

    // MARK: Helpers

    /// The signal lines of `/proc/PID/status` (pending, blocked, ignored and caught masks) and the threads' own
    /// pending masks: what to look at when a signal seems lost.
    static func signalState(of pid: Int32) -> String {
        func lines(_ path: String) -> [String] {
            ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n")
                .filter { ["SigQ", "SigPnd", "ShdPnd", "SigBlk", "SigIgn", "SigCgt"].contains(String($0.prefix { $0 != ":" })) }
                .map(String.init)
        }
        var report = ["process \(pid): " + lines("/proc/\(pid)/status").joined(separator: ", ")]
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        for task in tasks.sorted() {
            report.append("  thread \(task): " + lines("/proc/\(pid)/task/\(task)/status").filter {
                $0.hasPrefix("SigPnd") || $0.hasPrefix("SigBlk") }.joined(separator: ", "))
        }
        return report.joined(separator: "\n")
    }

    /// Polls the run's `metrics.jsonl` until its last complete line is at `step` or later (or the child exits);
    /// returns the step seen.
    static func waitForStep(_ step: Int, in folder: URL, while child: KilnProcess, timeout: Double = 120) async -> Int {
        let file = folder.appendingPathComponent("metrics.jsonl")
        let deadline = Date().addingTimeInterval(timeout)
        var seen = 0
        while child.process.isRunning && Date() < deadline {
            if let text = try? String(contentsOf: file, encoding: .utf8), let line = text.split(separator: "\n").last,
                text.hasSuffix("\n"), let range = line.range(of: #"^\{"step":(\d+)"#, options: .regularExpression)
            {
                seen = Int(line[range].dropFirst(8)) ?? seen
                if seen >= step { return seen }
            }
            try? await Task.sleep(for: .milliseconds(2))
        }
        return seen
    }

    /// The final checkpoints of two runs hold the same parameters and optimizer state, bit for bit.
    static func expectSameFinalState(_ a: URL, _ b: URL, step: Int, sourceLocation: SourceLocation = #_sourceLocation)
        throws
    {
        let name = String(format: "checkpoints/step-%06d.safetensors", step)
        let x = try Checkpoint.read(from: a.appendingPathComponent(name))
        let y = try Checkpoint.read(from: b.appendingPathComponent(name))
        func bits(_ t: [String: Tensor]) -> [String: [UInt32]] { t.mapValues { $0.scalars.map(\.bitPattern) } }
        #expect(!x.parameters.isEmpty, sourceLocation: sourceLocation)
        #expect(bits(x.parameters) == bits(y.parameters), "parameters differ", sourceLocation: sourceLocation)
        #expect(
            bits(x.optimizerState?.slots ?? [:]) == bits(y.optimizerState?.slots ?? [:]), "optimizer slots differ",
            sourceLocation: sourceLocation)
        #expect(x.optimizerState?.parameterSteps == y.optimizerState?.parameterSteps, sourceLocation: sourceLocation)
        #expect(x.metadata == y.metadata, "random stream and batch position differ", sourceLocation: sourceLocation)
        // Everything in the file is determined by the state, so the files are the same byte for byte.
        let bytesA = try Data(contentsOf: a.appendingPathComponent(name))
        let bytesB = try Data(contentsOf: b.appendingPathComponent(name))
        #expect(bytesA == bytesB, "checkpoint files differ", sourceLocation: sourceLocation)
    }
}
