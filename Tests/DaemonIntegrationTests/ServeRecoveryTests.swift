import Foundation
import Glibc
import Testing

/// Crashes, restarts, signals and systemd's view of `kiln serve`.
@Suite(.enabled(if: KilnExecutable.url != nil, Comment(rawValue: KilnExecutable.missingMessage)))
struct ServeRecoveryTests {
    @Test func aRunKilledWithTheDaemonResumesAfterARestart() async throws {
        let fixture = try ServeFixture("resume")
        try await fixture.start()
        try fixture.drop("long", ServeFixture.spec("hold"))
        #expect(await fixture.waitForChild("long"), "\(fixture.log())")
        let child = try #require(ServeFixture.childPID(fixture.run("long")))

        // What a crash under systemd looks like: the daemon dies at once, and its control group with it.
        fixture.signal(SIGKILL)
        _ = try await fixture.waitForExit(within: .seconds(5))
        #expect(fixture.isFakeChild(child))
        kill(-child, SIGKILL)
        #expect(await eventually { kill(child, 0) != 0 })
        #expect(fixture.state("long") == "running")

        try await fixture.start(starts: 1)
        #expect(await eventually { fixture.attempts("long").count == 2 }, "\(fixture.log())")
        #expect(fixture.attempts("long") == ["1 0", "2 1"])
        try fixture.release("long")
        let wait = try await kiln(["wait", "long", "--drop", fixture.drop.path], in: fixture.root)
        #expect(wait.status == 0, "\(fixture.log())")
        fixture.signal(SIGTERM)
        #expect(try await fixture.waitForExit(within: .seconds(10)) == 0)
    }

    @Test func sighupReloadsTheSettingsAndKeepsThemWhenTheFileIsBroken() async throws {
        let fixture = try ServeFixture("reload")
        try await fixture.start()
        let original = try String(contentsOf: fixture.settings, encoding: .utf8)

        try (original + "concurrency: 0\n").write(to: fixture.settings, atomically: true, encoding: .utf8)
        fixture.signal(SIGHUP)
        #expect(await eventually { fixture.log().contains("configuration reload failed") }, "\(fixture.log())")

        try original.replacingOccurrences(of: "concurrency: 2", with: "concurrency: 1")
            .write(to: fixture.settings, atomically: true, encoding: .utf8)
        fixture.signal(SIGHUP)
        #expect(
            await eventually { fixture.log().contains("configuration reloaded daemon.concurrency=1") },
            "\(fixture.log())")
        // The log line is written before the reload's READY=1 is sent: wait for the datagrams in flight.
        func reloadsAnswered() -> Bool {
            let messages = fixture.collectNotifications()
            return messages.filter { $0.hasPrefix("RELOADING=1\nMONOTONIC_USEC=") }.count == 2
                && messages.last == "READY=1"
        }
        #expect(await eventually { reloadsAnswered() }, "\(fixture.collectNotifications())")

        // Concurrency 1 now: a second spec waits for the first.
        try fixture.drop("first", ServeFixture.spec("hold"))
        #expect(await fixture.waitForChild("first"), "\(fixture.log())")
        try fixture.drop("second", ServeFixture.spec())
        #expect(await fixture.waitFor("second", "queued"))
        try fixture.release("first")
        #expect(try await kiln(["wait", "second", "--drop", fixture.drop.path], in: fixture.root).status == 0)
        fixture.signal(SIGTERM)
        #expect(try await fixture.waitForExit(within: .seconds(10)) == 0)
    }

    @Test func systemdHearsReadyStatusWatchdogAndStoppingAndSigtermEndsWithinTheDeadline() async throws {
        let fixture = try ServeFixture("notify")
        try await fixture.start(environment: ["WATCHDOG_USEC": "200000"])  // a ping every 100 ms
        #expect(fixture.notifications.first?.hasPrefix("READY=1\nSTATUS=0 running, 0 queued") == true)

        try fixture.drop("quick", ServeFixture.spec())
        #expect(try await kiln(["wait", "quick", "--drop", fixture.drop.path], in: fixture.root).status == 0)
        // Ignores SIGTERM: the daemon must kill it at the shutdown deadline (2 s here).
        try fixture.drop("stubborn", ServeFixture.spec("stubborn"))
        #expect(await fixture.waitForChild("stubborn"), "\(fixture.log())")
        #expect(await eventually { fixture.collectNotifications().contains("STATUS=1 running, 0 queued, 1 succeeded") })
        #expect(await eventually { fixture.collectNotifications().contains("WATCHDOG=1") })

        let start = ContinuousClock.now
        fixture.signal(SIGTERM)
        #expect(try await fixture.waitForExit(within: .seconds(8)) == 0)
        let took = start.duration(to: .now)
        #expect(took >= .seconds(1.5) && took < .seconds(5), "shutdown took \(took)")
        #expect(fixture.state("stubborn") == "interrupted")

        let messages = fixture.collectNotifications().filter { $0 != "WATCHDOG=1" }
        #expect(messages.first?.hasPrefix("READY=1") == true)
        #expect(messages.last == "STOPPING=1", "\(messages)")
        #expect(messages.filter { $0 == "STOPPING=1" }.count == 1)
        #expect(messages.contains { $0.hasPrefix("STATUS=") && $0.contains("1 succeeded") })
    }
}
