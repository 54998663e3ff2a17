import Foundation
import Glibc
import Logging
import PluginAPI

@testable import DaemonCore

/// Logs nothing unless `KILN_TEST_LOG=1`, so parallel tests stay readable.
let testLogger: Logger = {
    if ProcessInfo.processInfo.environment["KILN_TEST_LOG"] == "1" {
        var logger = Logger(label: "kiln.test", factory: { label in StreamLogHandler.standardError(label: label) })
        logger.logLevel = .debug
        return logger
    }
    return Logger(label: "kiln.test", factory: { _ in SwiftLogNoOpLogHandler() })
}()

/// A fresh directory under /tmp, removed by `remove()`.
struct TempDirectory {
    let url: URL

    init(_ label: String = "test") throws {
        var template = Array("/tmp/kiln-\(label)-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw DaemonError.system("mkdtemp", errno: errno)
        }
        url = URL(fileURLWithPath: String(cString: made), isDirectory: true)
    }

    func path(_ relative: String) -> URL { url.appendingPathComponent(relative) }

    /// Creates a subdirectory and returns it.
    func directory(_ relative: String) throws -> URL {
        let dir = path(relative)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// Writes `text` in place (open, write, close: one IN_CLOSE_WRITE).
@discardableResult
func writeFile(_ url: URL, _ text: String) throws -> URL {
    try Data(text.utf8).write(to: url)
    return url
}

/// Writes `text` under a dot name beside `url`, then renames it in (one IN_MOVED_TO).
@discardableResult
func moveIn(_ url: URL, _ text: String, staging: URL) throws -> URL {
    let temp = staging.appendingPathComponent(".staging-\(UUID().uuidString)")
    try Data(text.utf8).write(to: temp)
    guard rename(temp.path, url.path) == 0 else { throw DaemonError.system("rename", errno: errno) }
    return url
}

/// A `/bin/sh` script standing in for `kiln run`. `status STATE [EXTRA_JSON]` writes status.json
/// atomically the way a real child does; `$LOG` (if set) collects one line per start.
func writeFakeChild(in directory: URL, name: String = "child.sh", body: String) throws -> URL {
    let script = """
        #!/bin/sh
        status() {
          tmp="$KILN_RUN_DIR/.status.json.tmp"
          printf '{"state":"%s","spec_hash":"%s","pid":%d,"attempt":%d%s}\\n' \
            "$1" "$KILN_SPEC_HASH" $$ "$KILN_ATTEMPT" "$2" > "$tmp" && mv -f "$tmp" "$KILN_RUN_DIR/status.json"
        }
        [ -n "$LOG" ] && echo "$KILN_SPEC $KILN_ATTEMPT $KILN_SPEC_HASH" >> "$LOG"
        \(body)

        """
    let url = directory.appendingPathComponent(name)
    // Written through a close-on-exec descriptor: a child another test spawns meanwhile must not inherit it
    // open for writing, or starting this script fails with "Text file busy" for as long as that child lives.
    let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
    guard fd >= 0 else { throw DaemonError.system("open \(url.path)", errno: errno) }
    defer { close(fd) }
    let bytes = Array(script.utf8)
    guard write(fd, bytes, bytes.count) == bytes.count else { throw DaemonError.system("write", errno: errno) }
    fchmod(fd, 0o755)
    return url
}

/// Collects the elements of a stream so tests can wait, with a bounded timeout, for a condition on
/// everything seen so far. Waiting suspends on a continuation; nothing polls.
actor Recorder<Element: Sendable> {
    private(set) var items: [Element] = []
    private var waiters:
        [Int: (predicate: @Sendable ([Element]) -> Bool, continuation: CheckedContinuation<Bool, Never>)] = [:]
    private var nextID = 0

    /// Consumes `stream` until it ends or the calling task is cancelled.
    func feed(from stream: AsyncStream<Element>) async {
        for await item in stream { append(item) }
    }

    func append(_ item: Element) {
        items.append(item)
        for (id, waiter) in waiters where waiter.predicate(items) {
            waiters[id] = nil
            waiter.continuation.resume(returning: true)
        }
    }

    /// True as soon as `predicate` holds for the items seen; false after `timeout`.
    func wait(timeout: Duration = .seconds(10), until predicate: @escaping @Sendable ([Element]) -> Bool) async -> Bool
    {
        if predicate(items) { return true }
        let id = nextID
        nextID += 1
        return await withTaskGroup(of: Void.self) { group in
            group.addTask {
                try? await Task.sleep(for: timeout)
                await self.expire(id)
            }
            let satisfied = await withCheckedContinuation { waiters[id] = (predicate, $0) }
            group.cancelAll()
            return satisfied
        }
    }

    private func expire(_ id: Int) {
        waiters.removeValue(forKey: id)?.continuation.resume(returning: false)
    }
}

/// Lines of `$LOG` written by fake children.
func logLines(_ url: URL) -> [String] {
    ((try? String(contentsOf: url, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
}
