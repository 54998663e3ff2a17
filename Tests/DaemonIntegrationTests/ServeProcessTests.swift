import Foundation
import Glibc
import Testing

/// What the long-lived `kiln serve` process is: `kilnd`, without the engine, still checking specs against
/// every plugin of the `kiln` it was started from.
@Suite(.enabled(if: KilnExecutable.url != nil, Comment(rawValue: KilnExecutable.missingMessage)))
struct ServeProcessTests {
    @Test func kilnServeBecomesKilndWithoutTheEngineAndStillChecksSpecsAgainstThePlugins() async throws {
        let fixture = try ServeFixture("kilnd")
        try await fixture.start()
        let pid = try #require(fixture.daemon?.pid)
        #expect(Self.executable(pid).hasSuffix("/kilnd"), "\(Self.executable(pid))")
        #expect(!Self.maps(pid).contains("libdnnl"), "the daemon maps oneDNN")
        print("kiln serve (kilnd) idle: VmRSS \(Self.status(pid, "VmRSS") ?? "?")")

        // A plugin typo is only found with the plugins' descriptors: the helper has them.
        try fixture.drop(
            "typo", ServeFixture.spec().replacingOccurrences(of: "optim.adamw", with: "optim.adamm"))
        let typo = try await kiln(["wait", "typo", "--drop", fixture.drop.path], in: fixture.root)
        #expect(typo.status == 4, "\(typo.stdout)\(typo.stderr)\n\(fixture.log())")
        let report = try String(
            contentsOf: fixture.run("typo").appendingPathComponent("validation.txt"), encoding: .utf8)
        #expect(report.contains("optim.adamm"), "\(report)")
        // So is a misfit between plugins, which needs their code: the same check as `kiln validate`.
        try fixture.drop("misfit", ServeFixture.spec().replacingOccurrences(of: "data.spirals", with: "data.text"))
        let misfit = try await kiln(["wait", "misfit", "--drop", fixture.drop.path], in: fixture.root)
        #expect(misfit.status == 4, "\(misfit.stdout)\(misfit.stderr)\n\(fixture.log())")
        let misfitReport = try String(
            contentsOf: fixture.run("misfit").appendingPathComponent("validation.txt"), encoding: .utf8)
        #expect(
            misfitReport.contains(
                "misfit.yaml:5:17: train.method: 'train.supervised' trains on labeled or graph data, but 'data.text' "
                    + "gives text data"), "\(misfitReport)")
        try fixture.drop("fine", ServeFixture.spec())
        #expect(try await kiln(["wait", "fine", "--drop", fixture.drop.path], in: fixture.root).status == 0)
        // Checking specs loaded nothing of the engine into the daemon either.
        #expect(!Self.maps(pid).contains("libdnnl"))

        fixture.signal(SIGTERM)
        #expect(try await fixture.waitForExit(within: .seconds(10)) == 0)
    }

    @Test func kilnServeStaysInProcessWhenAsked() async throws {
        let fixture = try ServeFixture("inprocess")
        try await fixture.start(environment: ["KILN_SERVE_IN_PROCESS": "1"])
        let pid = try #require(fixture.daemon?.pid)
        #expect(Self.executable(pid) == KilnExecutable.url?.resolvingSymlinksInPath().path)
        try fixture.drop("typo", ServeFixture.spec().replacingOccurrences(of: "optim.adamw", with: "optim.adamm"))
        #expect(try await kiln(["wait", "typo", "--drop", fixture.drop.path], in: fixture.root).status == 4)
        fixture.signal(SIGTERM)
        #expect(try await fixture.waitForExit(within: .seconds(10)) == 0)
    }

    static func executable(_ pid: Int32) -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")) ?? ""
    }

    static func maps(_ pid: Int32) -> String {
        (try? String(contentsOfFile: "/proc/\(pid)/maps", encoding: .utf8)) ?? ""
    }

    /// A field of `/proc/PID/status`, such as `VmRSS`.
    static func status(_ pid: Int32, _ field: String) -> String? {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").first { $0.hasPrefix(field + ":") }.map {
            $0.dropFirst(field.count + 1).trimmingCharacters(in: .whitespaces)
        }
    }
}
