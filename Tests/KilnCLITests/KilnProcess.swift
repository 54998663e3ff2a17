import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The real `kiln` executable, started as a child process the way the daemon starts it.
///
/// It is the `kiln` that `swift build --build-tests` built beside this test bundle (same configuration).
/// Waiting is `async` and sleeps between polls: a test that blocked its thread would hold one of the few
/// threads of Swift's cooperative pool (one per core) and starve the async tests running beside it.
struct KilnProcess {
    /// `.build/<config>/kiln`, next to the test binary.
    static let executable: URL = {
        let exe = URL(
            fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                ?? CommandLine.arguments[0])
        return exe.deletingLastPathComponent().appendingPathComponent("kiln")
    }()

    /// A finished process.
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    let process: Process
    private let out: URL
    private let err: URL

    /// Starts `kiln arguments` in `directory`, with stdout and stderr going to files (no pipe can fill up).
    init(_ arguments: [String], in directory: URL, executable: URL = executable) throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: executable.path),
            "no kiln at \(executable.path); build it with `swift build --build-tests`")
        process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let id = UUID().uuidString
        out = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-out-\(id)")
        err = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-err-\(id)")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    /// Sends `signal` to the child.
    func send(_ signal: Int32) { kill(pid, signal) }

    /// Waits for the child to exit, at most `timeout` seconds (then kills it and fails).
    func wait(timeout: Double = 120, sourceLocation: SourceLocation = #_sourceLocation) async -> Result {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { try? await Task.sleep(for: .milliseconds(10)) }
        if process.isRunning {
            Issue.record(
                "kiln \(process.arguments ?? []) still running after \(timeout) s", sourceLocation: sourceLocation)
            kill(pid, SIGKILL)
            process.waitUntilExit()
        }
        process.waitUntilExit()
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        return Result(
            status: process.terminationStatus,
            stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    /// Runs `kiln arguments` to completion.
    static func run(
        _ arguments: [String], in directory: URL, executable: URL = executable, timeout: Double = 120,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> Result {
        try await KilnProcess(arguments, in: directory, executable: executable)
            .wait(timeout: timeout, sourceLocation: sourceLocation)
    }
}

/// A temporary directory removed when the value goes away.
final class Scratch {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Writes `text` to `name` and returns its URL.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> URL {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
        return file
    }
}
