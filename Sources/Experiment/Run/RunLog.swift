import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// `run.log`: one line per event, appended with a single `write` each so `tail -f` never sees half a line.
///
/// ```
/// 2025-01-31T12:00:00.123Z info  training started steps=2000 batch=128 resumed_from=0
/// ```
/// Messages are constant strings; values go in metadata, printed as `key=value` sorted by key.
final class RunLogSink: Sendable {
    private let fd: Mutex<Int32>
    let terminal: TerminalOutput

    /// Opens `url` for appending (created if missing).
    init(url: URL, terminal: TerminalOutput) throws(RunError) {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io("cannot open \(url.path): \(String(cString: strerror(errno)))") }
        self.fd = Mutex(fd)
        self.terminal = terminal
    }

    deinit { fd.withLock { _ = close($0) } }

    /// Writes one formatted line to the file and echoes it to stderr.
    func append(level: Logger.Level, message: String, metadata: Logger.Metadata) {
        var line = Self.timestamp() + " " + level.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0) + message
        for key in metadata.keys.sorted() {
            line += " \(key)=\(Self.quoted("\(metadata[key]!)"))"
        }
        let bytes = Array((line + "\n").utf8)
        fd.withLock { fd in
            bytes.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { return }
                    offset += n
                }
            }
        }
        terminal.printLine(line)
    }

    /// Values with spaces or quotes are quoted so a line splits back into its fields.
    private static func quoted(_ value: String) -> String {
        guard value.isEmpty || value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline }) else {
            return value
        }
        return "\""
            + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n") + "\""
    }

    /// `2025-01-31T12:00:00.123Z` in UTC, without a formatter object (none is `Sendable` on Linux).
    static func timestamp(_ date: Date = Date()) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        let millis = Int((date.timeIntervalSince1970 - Double(seconds)) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
            Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), millis)
    }
}

/// A swift-log handler writing to a ``RunLogSink``.
struct RunLogHandler: LogHandler {
    let sink: RunLogSink
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        sink.append(level: event.level, message: event.message.description, metadata: merged)
    }
}
