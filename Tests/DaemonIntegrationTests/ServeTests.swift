import Foundation
import Glibc
import Testing

/// `kiln serve` as users see it: a real daemon process, real files, a fake child, and the client
/// commands (`status`, `cancel`, `wait`, `tail`).
@Suite(.enabled(if: KilnExecutable.url != nil, Comment(rawValue: KilnExecutable.missingMessage)))
struct ServeTests {
    @Test func runsADroppedSpecAndRejectsAMalformedOneWhileServing() async throws {
        let fixture = try ServeFixture("serve")
        try await fixture.start()
        try fixture.drop("good", ServeFixture.spec())
        // A YAML syntax error fails validation whatever plugins are registered.
        try fixture.drop("broken", "data: {dataset: data.spirals\nmodel: [\n")

        let good = try await kiln(["wait", "good", "--drop", fixture.drop.path], in: fixture.root)
        #expect(good.status == 0, "\(good.stderr)\n\(fixture.log())")
        #expect(good.stdout.hasPrefix("good: succeeded"))
        let broken = try await kiln(["wait", "broken", "--drop", fixture.drop.path], in: fixture.root)
        #expect(broken.status == 4)
        let report = try String(
            contentsOf: fixture.run("broken").appendingPathComponent("validation.txt"), encoding: .utf8)
        #expect(report.contains("broken.yaml:2:6: syntax error"), "\(report)")
        #expect(!FileManager.default.fileExists(atPath: fixture.run("broken").appendingPathComponent("run.log").path))

        // Still serving after the rejection.
        try fixture.drop("after", ServeFixture.spec())
        #expect(try await kiln(["wait", "after", "--drop", fixture.drop.path], in: fixture.root).status == 0)

        let status = try await kiln(["status", fixture.drop.path, "--json"], in: fixture.root)
        #expect(status.status == 0)
        let document = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        let runs = (document?["runs"] as? [[String: Any]]) ?? []
        let states = Dictionary(
            uniqueKeysWithValues: runs.compactMap { run -> (String, String)? in
                guard let name = run["name"] as? String, let status = run["status"] as? [String: Any],
                    let state = status["state"] as? String
                else { return nil }
                return (name, state)
            })
        #expect(states == ["good": "succeeded", "broken": "rejected", "after": "succeeded"])
        let table = try await kiln(["status", "--drop", fixture.drop.path], in: fixture.root)
        #expect(table.stdout.contains("broken") && table.stdout.contains("rejected"))

        let tail = try await kiln(["tail", "good", "--drop", fixture.drop.path], in: fixture.root)
        #expect(tail.status == 0)
        #expect(tail.stdout == "attempt=1 resume=0 lock_fd=3 threads=1\ndone\n")

        fixture.signal(SIGTERM)
        #expect(try await fixture.waitForExit(within: .seconds(10)) == 0)
    }

    @Test func cancelAndDeletingTheSpecStopRuns() async throws {
        let fixture = try ServeFixture("cancel")
        try await fixture.start()
        try fixture.drop("one", ServeFixture.spec("hold"))
        let two = try fixture.drop("two", ServeFixture.spec("hold"))
        #expect(await fixture.waitForChild("one"), "\(fixture.log())")
        #expect(await fixture.waitForChild("two"), "\(fixture.log())")

        let timedOut = try await kiln(
            ["wait", "one", "--drop", fixture.drop.path, "--timeout", "0.2"], in: fixture.root)
        #expect(timedOut.status == 124)

        // `kiln tail` follows the live log and stops once the run is cancelled.
        let tailOutput = fixture.root.appendingPathComponent("tail.out")
        let tail = try Spawned(
            [KilnExecutable.url!.path, "tail", "one", "--drop", fixture.drop.path], environment: kilnEnvironment(),
            stdout: tailOutput.path, stderr: "/dev/null")

        let cancel = try await kiln(["cancel", "one", "--drop", fixture.drop.path, "--wait"], in: fixture.root)
        #expect(cancel.status == 0 && cancel.stdout.contains("one: cancelled"), "\(cancel.stderr)")
        #expect(try await kiln(["wait", "one", "--drop", fixture.drop.path], in: fixture.root).status == 3)
        #expect(try await tail.wait(within: .seconds(5)) == 0)
        let followed = try String(contentsOf: tailOutput, encoding: .utf8)
        #expect(followed.hasPrefix("attempt=1 resume=0") && followed.contains("step 1\n"))

        try FileManager.default.removeItem(at: two)
        #expect(await fixture.waitFor("two", "cancelled"))
        #expect(try await kiln(["wait", "two", "--drop", fixture.drop.path], in: fixture.root).status == 3)

        let unknown = try await kiln(["cancel", "nope", "--drop", fixture.drop.path], in: fixture.root)
        #expect(unknown.status == 1 && unknown.stderr.contains("no spec or run named 'nope'"))
        fixture.signal(SIGTERM)
        #expect(try await fixture.waitForExit(within: .seconds(10)) == 0)
    }

    @Test func aSpecSymlinkedFromOutsideTheDropDirectoryIsRefused() async throws {
        let fixture = try ServeFixture("escape")
        try await fixture.start()
        let outside = fixture.root.appendingPathComponent("outside.yaml")
        try ServeFixture.spec().write(to: outside, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(
            at: fixture.staging.appendingPathComponent("escape.yaml"), withDestinationURL: outside)
        _ = rename(
            fixture.staging.appendingPathComponent("escape.yaml").path,
            fixture.drop.appendingPathComponent("escape.yaml").path)

        let wait = try await kiln(["wait", "escape", "--drop", fixture.drop.path], in: fixture.root)
        #expect(wait.status == 4)
        let report = try String(
            contentsOf: fixture.run("escape").appendingPathComponent("validation.txt"), encoding: .utf8)
        #expect(report.contains("outside the drop directory"))
        #expect(fixture.attempts("escape").isEmpty)
        fixture.signal(SIGTERM)
        #expect(try await fixture.waitForExit(within: .seconds(10)) == 0)
    }

    @Test func invalidSettingsStopTheDaemonWithLocatedProblems() async throws {
        let fixture = try ServeFixture("settings", settings: "concurency: 3\nlimits: {memory_mib: 1}\n")
        let serve = try await kiln(
            ["serve", "--drop", fixture.drop.path, "--config", fixture.settings.path], in: fixture.root)
        #expect(serve.status == 78)
        #expect(
            serve.stderr.contains("kiln.yaml:7:1: concurency: unknown key 'concurency'; did you mean 'concurrency'?"))
        #expect(serve.stderr.contains("kiln.yaml:8:22: limits.memory_mib: must be >= 16 (got 1)"))
        let check = try await kiln(["serve", "--config", fixture.settings.path, "--check"], in: fixture.root)
        #expect(check.status == 78)
    }
}
