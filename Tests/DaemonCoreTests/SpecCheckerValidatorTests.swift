import Foundation
import Glibc
import Testing

@testable import DaemonCore

/// The daemon's side of the spec checker, against `/bin/sh` helpers standing in for `kiln check-specs`.
@Suite struct SpecCheckerValidatorTests {
    /// A helper script; `$DIR` is where it may leave traces.
    private func helper(_ dir: TempDirectory, _ body: String) throws -> String {
        try writeFakeChild(in: dir.url, name: "checker.sh", body: "DIR=\(dir.url.path)\n" + body).path
    }

    private func spec(_ dir: TempDirectory, _ name: String) -> URL { dir.path("drop/\(name).yaml") }

    @Test func oneHelperAnswersSpecAfterSpec() throws {
        let dir = try TempDirectory("checker")
        defer { dir.remove() }
        // Answers each request with its own pid and the request's data roots, until its input closes.
        let script = try helper(
            dir,
            #"""
            while read -r line; do
              roots=$(printf '%s' "$line" | sed -n 's/.*"data_roots":\[\([^]]*\)\].*/\1/p' | tr -d '"\\')
              printf '{"problems":["pid %s roots %s"]}\n' $$ "$roots"
            done
            echo closed >> "$DIR/ended"
            """#)
        let validator = SpecCheckerValidator(
            kiln: script, dropDirectory: dir.path("drop"), dataRoots: ["/data/a"], logger: testLogger)
        let first = validator.validate(specAt: spec(dir, "one"), contents: Data("a: 1\n".utf8))
        let pid = try #require(validator.helperPID)
        #expect(first == .invalid(problems: ["pid \(pid) roots /data/a"]))
        validator.reconfigure(dataRoots: ["/data/b"])
        let second = validator.validate(specAt: spec(dir, "two"), contents: Data("b: 2\n".utf8))
        #expect(second == .invalid(problems: ["pid \(pid) roots /data/b"]))
        #expect(validator.helperPID == pid)
    }

    @Test func aHelperThatExitedIsReplacedForTheNextSpec() throws {
        let dir = try TempDirectory("checker")
        defer { dir.remove() }
        // Answers one request and exits, like a helper whose idle time ran out right after.
        let script = try helper(dir, #"echo "$$" >> "$DIR/pids"; read -r line; echo '{"priority":7}'"#)
        let validator = SpecCheckerValidator(
            kiln: script, dropDirectory: dir.path("drop"), dataRoots: [], logger: testLogger)
        for name in ["one", "two", "three"] {
            #expect(validator.validate(specAt: spec(dir, name), contents: Data("x: 1\n".utf8)) == .valid(priority: 7))
        }
        #expect(Set(logLines(dir.path("pids"))).count == 3)
    }

    @Test func withoutAWorkingHelperTheSpecIsLeftToItsRun() throws {
        let dir = try TempDirectory("checker")
        defer { dir.remove() }
        let silent = try helper(dir, "exit 3")
        let validator = SpecCheckerValidator(
            kiln: silent, dropDirectory: dir.path("drop"), dataRoots: [], logger: testLogger)
        #expect(validator.validate(specAt: spec(dir, "one"), contents: Data("x: 1\n".utf8)) == .valid)
        let missing = SpecCheckerValidator(
            kiln: dir.path("no-such-kiln").path, dropDirectory: dir.path("drop"), dataRoots: [], logger: testLogger)
        #expect(missing.validate(specAt: spec(dir, "one"), contents: Data("x: 1\n".utf8)) == .valid)
    }

    @Test func aHelperThatDoesNotAnswerIsKilledAtTheDeadline() throws {
        let dir = try TempDirectory("checker")
        defer { dir.remove() }
        let script = try helper(dir, #"echo "$$" >> "$DIR/pids"; exec sleep 600"#)
        let validator = SpecCheckerValidator(
            kiln: script, dropDirectory: dir.path("drop"), dataRoots: [], logger: testLogger,
            answerTimeout: .milliseconds(300))
        #expect(validator.validate(specAt: spec(dir, "one"), contents: Data("x: 1\n".utf8)) == .valid)
        let pids = logLines(dir.path("pids")).compactMap { Int32($0) }
        #expect(pids.count == 2)
        // Both hung helpers were killed (a killed and reaped process no longer exists).
        for pid in pids {
            var gone = false
            for _ in 0..<500 where !gone {
                gone = kill(pid, 0) != 0
                if !gone { usleep(20_000) }
            }
            #expect(gone, "helper \(pid) still alive")
        }
    }
}
