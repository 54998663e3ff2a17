import Foundation
import Glibc
import PluginAPI
import Testing

@testable import DaemonCore

/// Real daemon, real files, real child processes (`/bin/sh` scripts standing in for `kiln run`) and
/// real signals.
@Suite struct SupervisorTests {
    /// A child that records when TERM arrives, writes `interrupted` as a checkpointing run would, and exits.
    static let trapsTerm = """
        trap 'echo term > "$KILN_RUN_DIR/got-term"; status interrupted; exit 0' TERM
        status running
        echo up > "$KILN_RUN_DIR/started"
        sleep 30 & wait $!
        """
    /// A child that ignores TERM, so only SIGKILL ends it.
    static let ignoresTerm = """
        trap '' TERM
        status running
        echo up > "$KILN_RUN_DIR/started"
        sleep 30 & wait $!
        """

    @Test func runsAFakeChildToSuccessWithItsEnvironment() async throws {
        let h = try DaemonHarness(
            child: """
                env | grep -E '^(KILN_|OMP_NUM_THREADS=)' | sort > "$KILN_RUN_DIR/env.txt"
                echo "args: $*" >> "$KILN_RUN_DIR/env.txt"
                echo "a warning" >&2
                echo "some output"
                status succeeded ',"step":10,"total_steps":10,"progress":1'
                """)
        defer { h.root.remove() }
        try await h.run { _ in
            let spec = try h.spec("exp", "model: tiny\nsteps: 10\n")
            let status = try await h.waitFor("exp")
            #expect(status.state == .succeeded && status.step == 10 && status.attempt == 1)
            let folder = h.folder("exp")
            let env = try String(contentsOf: folder.directory.appendingPathComponent("env.txt"), encoding: .utf8)
            let identity = try SpecIdentity.ofFile(at: spec)
            #expect(env.contains("KILN_SPEC_HASH=\(identity.contentHash)"))
            #expect(
                env.contains("OMP_NUM_THREADS=1") && env.contains("KILN_LOCK_FD=3") && env.contains("KILN_RESUME=0"))
            #expect(env.contains("args: \(spec.path) 1"))
            #expect(try String(contentsOf: folder.stderrFile, encoding: .utf8) == "a warning\n")
            #expect(try String(contentsOf: folder.stdoutFile, encoding: .utf8) == "some output\n")
            #expect(try Data(contentsOf: folder.specSnapshot) == Data(contentsOf: spec))
        }
        #expect(!RunLock.isHeld(runDirectory: h.folder("exp").directory))
        #expect(h.status("exp")?.endedAt != nil)  // filled in by the daemon after the child exited
    }

    @Test func cancelFileSendsTermAndTheRunEndsCancelled() async throws {
        let h = try DaemonHarness(child: Self.trapsTerm)
        defer { h.root.remove() }
        try await h.run { _ in
            try h.spec("exp")
            let folder = h.folder("exp")
            #expect(try await RunControlWait.file(folder.directory.appendingPathComponent("started")))
            let request = try RunControl.requestCancel(name: "exp", dropDirectory: h.drop)
            let status = try await h.waitFor("exp")
            #expect(status.state == .cancelled)
            #expect(status.message?.contains("exp.cancel") == true)
            #expect(status.message?.contains("killed") == false)
            #expect(FileManager.default.fileExists(atPath: folder.directory.appendingPathComponent("got-term").path))
            #expect(FileManager.default.fileExists(atPath: folder.stdoutFile.path))  // outputs stay
            #expect(try await RunControlWait.gone(request))  // the request is consumed
        }
    }

    @Test func childIgnoringTermIsKilledAfterTheGracePeriod() async throws {
        let h = try DaemonHarness(child: Self.ignoresTerm)
        defer { h.root.remove() }
        try await h.run { _ in
            try h.spec("stubborn")
            #expect(try await RunControlWait.file(h.folder("stubborn").directory.appendingPathComponent("started")))
            let asked = ContinuousClock.now
            try RunControl.requestCancel(name: "stubborn.yaml", dropDirectory: h.drop)
            let status = try await h.waitFor("stubborn")
            let took = ContinuousClock.now - asked
            #expect(status.state == .cancelled)
            #expect(status.message?.contains("killed after the grace period") == true)
            #expect(took >= .milliseconds(300) && took < .seconds(5), "took \(took)")
        }
    }

    @Test func wallTimeLimitStopsTheRunAsKilled() async throws {
        var h = try DaemonHarness(child: Self.ignoresTerm)
        h.config.limits.wallTimeSeconds = 0.5
        defer { h.root.remove() }
        try await h.run { _ in
            try h.spec("slow")
            let status = try await h.waitFor("slow")
            #expect(status.state == .failed && status.failure == .killed)
            #expect(status.message?.contains("wall-time limit") == true)
        }
    }

    @Test func deathBySignalAndExitWithoutStatusAreFailures() async throws {
        let h = try DaemonHarness(
            child: """
                case "$KILN_SPEC" in
                  *crash.yaml) status running; kill -KILL $$ ;;
                  *silent.yaml) exit 3 ;;
                esac
                """)
        defer { h.root.remove() }
        try await h.run { _ in
            try h.spec("crash")
            try h.spec("silent")
            let crash = try await h.waitFor("crash")
            #expect(crash.state == .failed && crash.failure == .killed && crash.message?.contains("SIGKILL") == true)
            let silent = try await h.waitFor("silent")
            #expect(silent.state == .failed && silent.failure == .internalError)
            #expect(silent.message?.contains("exited with status 3") == true)
        }
    }

    @Test func missingProgramFailsTheRunNotTheDaemon() async throws {
        var h = try DaemonHarness()
        h.config.command = ["/nonexistent/kiln", "run", "{spec}"]
        defer { h.root.remove() }
        try await h.run { _ in
            try h.spec("exp")
            let status = try await h.waitFor("exp")
            #expect(status.state == .failed && status.failure == .internalError)
            #expect(status.message?.contains("cannot start /nonexistent/kiln") == true)
        }
    }

    @Test func memoryAndFileLimitsApplyInTheChild() async throws {
        var h = try DaemonHarness(
            child: """
                echo "$(ulimit -v) $(ulimit -n)" > "$KILN_RUN_DIR/limits"
                status succeeded
                """)
        h.config.limits.memoryMiB = 512
        h.config.limits.openFiles = 100
        defer { h.root.remove() }
        try await h.run { _ in
            try h.spec("exp")
            #expect(try await h.waitFor("exp").state == .succeeded)
            let limits = try String(
                contentsOf: h.folder("exp").directory.appendingPathComponent("limits"), encoding: .utf8)
            #expect(limits == "524288 100\n")
        }
    }

    @Test func shutdownInterruptsRunsAndTheNextStartResumesThem() async throws {
        let h = try DaemonHarness(
            child: """
                if [ "$KILN_RESUME" = 1 ] && [ -f "$KILN_RUN_DIR/checkpoint" ]; then
                  status succeeded ',"message":"resumed from checkpoint"'
                  exit 0
                fi
                trap 'echo step5 > "$KILN_RUN_DIR/checkpoint"; status interrupted; exit 0' TERM
                status running
                echo up > "$KILN_RUN_DIR/started"
                sleep 30 & wait $!
                """)
        defer { h.root.remove() }
        try await h.run { _ in
            try h.spec("long")
            #expect(try await RunControlWait.file(h.folder("long").directory.appendingPathComponent("started")))
        }
        // The harness shut the daemon down gracefully: the child checkpointed and the run is interrupted.
        #expect(h.status("long")?.state == .interrupted)
        try await h.run { _ in
            let status = try await h.waitFor("long")
            #expect(status.state == .succeeded && status.message == "resumed from checkpoint" && status.attempt == 2)
        }
        #expect(logLines(h.log).map { $0.split(separator: " ")[1] } == ["1", "2"])
    }
}

extension RunControlWait {
    /// Waits for a file to disappear (same approach as `file(_:)`).
    static func gone(_ url: URL, timeout: Duration = .seconds(10)) async throws -> Bool {
        let inotify = try Inotify()
        _ = try inotify.addWatch(url.deletingLastPathComponent().path, mask: UInt32(IN_DELETE | IN_MOVED_FROM))
        let deadline = ContinuousClock.now + timeout
        return await withCheckedContinuation { done in
            Thread {
                while FileManager.default.fileExists(atPath: url.path) {
                    guard ContinuousClock.now < deadline else { return done.resume(returning: false) }
                    _ = try? inotify.wait(timeoutMilliseconds: 100)
                }
                done.resume(returning: true)
            }.start()
        }
    }
}
