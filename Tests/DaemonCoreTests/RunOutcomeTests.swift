import Foundation
import Glibc
import PluginAPI
import Testing

@testable import DaemonCore

@Suite struct RunOutcomeTests {
    let job = JobLedger.Job(
        folder: RunFolder(spec: URL(fileURLWithPath: "/d/exp.yaml"), dropDirectory: URL(fileURLWithPath: "/d")),
        identity: SpecIdentity(contentHash: "sha256:aa"), attempt: 2)
    let now = Date(timeIntervalSince1970: 1_000)

    func recorded(_ state: RunStatus.State, _ failure: RunStatus.FailureClass? = nil) -> RunStatus {
        RunStatus(state: state, specHash: "sha256:aa", failure: failure, step: 3, pid: 10, message: "child says")
    }

    func resolve(
        _ recorded: RunStatus?, _ exit: ChildExit, _ stop: JobLedger.StopReason? = nil, memory: Int? = nil
    ) -> RunStatus {
        RunOutcome.resolve(job: job, recorded: recorded, exit: exit, stop: stop, memoryLimitMiB: memory, now: now)
    }

    @Test func childsFinalStateStands() {
        let s = resolve(recorded(.succeeded), .exited(0))
        #expect(s.state == .succeeded && s.message == "child says" && s.endedAt == now && s.attempt == 2)
        #expect(resolve(recorded(.failed, .nonFiniteLoss), .exited(3)).failure == .nonFiniteLoss)
    }

    @Test func deathBySignalWithoutFinalStateIsKilled() {
        let s = resolve(recorded(.running), .signaled(SIGKILL))
        #expect(s.state == .failed && s.failure == .killed && s.step == 3)
        #expect(s.message?.contains("SIGKILL") == true)
        let oom = resolve(recorded(.running), .signaled(SIGABRT), memory: 512)
        #expect(oom.message?.contains("memory limit of 512 MiB") == true)
    }

    @Test func exitWithoutFinalStateIsAnInternalError() {
        let s = resolve(nil, .exited(2))
        #expect(s.state == .failed && s.failure == .internalError && s.specHash == "sha256:aa")
        #expect(s.message?.contains("child.stderr") == true)
    }

    @Test func stopRequestsDecideUnlessTheChildFinishedFirst() {
        #expect(resolve(recorded(.running), .signaled(SIGTERM), .cancel("x")).state == .cancelled)
        #expect(resolve(recorded(.interrupted), .exited(0), .cancel("x")).state == .cancelled)
        #expect(resolve(recorded(.running), .exited(0), .shutdown).state == .interrupted)
        let wall = resolve(recorded(.running), .signaled(SIGKILL), .wallTime(2))
        #expect(wall.state == .failed && wall.failure == .killed && wall.message?.contains("2 s") == true)
        #expect(resolve(recorded(.succeeded), .exited(0), .cancel("x")).state == .succeeded)
        #expect(resolve(recorded(.failed, .pluginError), .exited(1), .shutdown).failure == .pluginError)
        // `killed` written by the child on SIGTERM is not its own failure: the cancel wins.
        #expect(resolve(recorded(.failed, .killed), .exited(1), .cancel("x")).state == .cancelled)
    }

    @Test func statusOfOtherContentIsIgnored() {
        var stale = recorded(.succeeded)
        stale.specHash = "sha256:bb"
        let s = resolve(stale, .signaled(SIGSEGV))
        #expect(s.state == .failed && s.failure == .killed && s.specHash == "sha256:aa")
    }

    @Test func launchBuildsThreadBudgetLimitsAndCleanEnvironment() {
        var settings = DaemonConfig(dropDirectory: "/d")
        settings.threadsPerRun = 3
        settings.dataRoots = ["/data/a", "/data/b"]
        settings.limits = .init(wallTimeSeconds: 60, memoryMiB: 1024, openFiles: 256)
        settings.command = ["/opt/kiln", "run", "{spec}", "--threads", "{threads}", "--out", "{run_dir}"]
        let launch = RunLaunch(
            job: job, settings: settings,
            inherited: ["PATH": "/bin", "NOTIFY_SOCKET": "/run/x", "OMP_NUM_THREADS": "64"],
            lockDescriptor: true)
        #expect(launch.arguments.prefix(2) == ["/bin/sh", "-c"])
        #expect(launch.arguments[2] == "ulimit -v 1048576 && ulimit -n 256 && exec \"$0\" \"$@\"")
        #expect(
            Array(launch.arguments.dropFirst(3)) == [
                "/opt/kiln", "run", "/d/exp.yaml", "--threads", "3", "--out", "/d/exp.run",
            ])
        let env = launch.environment
        #expect(env["NOTIFY_SOCKET"] == nil && env["PATH"] == "/bin")
        #expect(env["OMP_NUM_THREADS"] == "3" && env["OPENBLAS_NUM_THREADS"] == "3" && env["KILN_THREADS"] == "3")
        #expect(env["KILN_SPEC_HASH"] == "sha256:aa" && env["KILN_ATTEMPT"] == "2" && env["KILN_RESUME"] == "1")
        #expect(env["KILN_DATA_ROOTS"] == "/data/a:/data/b" && env["KILN_LOCK_FD"] == "3")
        #expect(env["KILN_RUN_DIR"] == "/d/exp.run" && env["KILN_MEMORY_LIMIT_MIB"] == "1024")
    }

    /// `kilnd` runs specs with the `kiln` it was given, not with itself.
    @Test func withoutACommandTheGivenKilnRunsTheSpec() {
        var settings = DaemonConfig(dropDirectory: "/d")
        settings.threadsPerRun = 2
        let launch = RunLaunch(
            job: job, settings: settings, inherited: [:], lockDescriptor: true, executable: "/usr/local/bin/kiln")
        #expect(launch.arguments == ["/usr/local/bin/kiln", "run", "/d/exp.yaml", "--threads", "2"])
        #expect(RunLaunch(job: job, settings: settings, inherited: [:], lockDescriptor: true).arguments.first
            == RunLaunch.currentExecutable())
    }
}
