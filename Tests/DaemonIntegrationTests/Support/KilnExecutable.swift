import Foundation
import Glibc

/// The built `kiln` executable the integration tests drive.
///
/// Looked up beside the running test bundle first (`.build/<triple>/<debug|release>/kiln`: `swift build
/// --build-tests` and `swift test` build it there together with the tests), then in this package's
/// `.build/debug` and `.build/release`. Nil only when no build has produced it; the suites are then
/// skipped with a message saying so.
enum KilnExecutable {
    static let url: URL? = {
        let manager = FileManager.default
        var candidates: [URL] = []
        let bundle = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        // `KilnPackageTests.xctest` is the runner itself on Linux; on other layouts it is a folder inside
        // the build directory, so look one and two levels up.
        var directory = bundle.deletingLastPathComponent()
        for _ in 0..<3 {
            candidates.append(directory.appendingPathComponent("kiln"))
            directory = directory.deletingLastPathComponent()
        }
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        candidates += ["debug", "release"].map { package.appendingPathComponent(".build/\($0)/kiln") }
        return candidates.first { manager.isExecutableFile(atPath: $0.path) }
    }()

    static let missingMessage =
        "the kiln executable is not built next to the tests; run `swift build --build-tests` (or `swift build --product kiln`) first"
}

/// The result of a finished `kiln` command.
struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs `kiln ARGS` to completion (at most `timeout`; then it is killed and the test fails).
func kiln(
    _ arguments: [String], in directory: URL, timeout: Duration = .seconds(15), environment: [String: String] = [:]
) async throws -> CommandResult {
    let id = UUID().uuidString.prefix(8)
    let out = directory.appendingPathComponent(".cmd-\(id).out")
    let err = directory.appendingPathComponent(".cmd-\(id).err")
    let child = try Spawned(
        [KilnExecutable.url!.path] + arguments, environment: kilnEnvironment(environment), stdout: out.path,
        stderr: err.path)
    let status = try await child.wait(within: timeout)
    let result = CommandResult(
        status: status, stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
        stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    try? FileManager.default.removeItem(at: out)
    try? FileManager.default.removeItem(at: err)
    return result
}

/// This process's environment without anything that would point `kiln` at a real service, plus `extra`.
func kilnEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
    var env = ProcessInfo.processInfo.environment
    for key in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "KILN_DROP", "JOURNAL_STREAM"] { env[key] = nil }
    env.merge(extra) { _, new in new }
    return env
}

struct TimedOut: Error, CustomStringConvertible {
    var description: String
}

/// Re-checks `condition` every 10 ms until it holds (true) or `timeout` passes (false).
func eventually(timeout: Duration = .seconds(10), _ condition: () throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return try condition()
}
