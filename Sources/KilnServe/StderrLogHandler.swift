import Foundation
import Glibc
import Logging

/// `kiln serve`'s log output: one line per message on standard error, shaped for where it goes.
///
/// - Under systemd (`$JOURNAL_STREAM` names our stderr): `<6>message key=value`. journald reads the
///   `<N>` syslog priority prefix and adds its own timestamp, so none is written.
/// - On a terminal: `12:34:56.789 INFO  message key=value`, the level coloured (unless `$NO_COLOR`).
/// - Anywhere else (a file, a pipe): `2025-01-31T12:34:56.789Z info message key=value`, no colour.
///
/// Each line goes out in one `write(2)`, so lines from different threads never interleave.
struct StderrLogHandler: LogHandler {
    /// How lines are written.
    enum Style: Equatable {
        case journal, terminal, plain
    }

    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    let label: String
    let style: Style

    init(label: String, style: Style = Self.detectStyle()) {
        self.label = label
        self.style = style
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// The style for this process's standard error.
    static func detectStyle(environment: [String: String] = ProcessInfo.processInfo.environment) -> Style {
        var st = stat()
        if let stream = environment["JOURNAL_STREAM"], fstat(2, &st) == 0 {
            let parts = stream.split(separator: ":").compactMap { UInt64($0) }
            if parts.count == 2, parts[0] == UInt64(st.st_dev), parts[1] == UInt64(st.st_ino) { return .journal }
        }
        if isatty(2) == 1, environment["NO_COLOR"] == nil, environment["TERM"] != "dumb" { return .terminal }
        return .plain
    }

    func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { _, new in new } }
        if let given = event.metadata { all.merge(given) { _, new in new } }
        if let error = event.error { all["error"] = "\(error)" }
        let line = format(level: event.level, message: event.message.description, metadata: all, now: Date())
        let bytes = Array(line.utf8)
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(2, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return }
                offset += n
            }
        }
    }

    /// One line, newline included.
    func format(level: Logger.Level, message: String, metadata: Logger.Metadata, now: Date) -> String {
        let fields = metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.quoted("\($0.value)"))" }
        let text = ([message.replacingOccurrences(of: "\n", with: " ")] + fields).joined(separator: " ")
        switch style {
        case .journal:
            return "<\(Self.syslogPriority(level))>\(text)\n"
        case .terminal:
            let name = level.rawValue.uppercased().padding(toLength: 8, withPad: " ", startingAt: 0)
            return "\(Self.clock(now)) \(Self.colour(level))\(name)\u{1B}[0m\(text)\n"
        case .plain:
            return "\(Self.timestamp(now)) \(level.rawValue) \(text)\n"
        }
    }

    /// syslog priorities as journald reads them.
    static func syslogPriority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    private static func colour(_ level: Logger.Level) -> String {
        switch level {
        case .trace, .debug: "\u{1B}[2m"
        case .info: "\u{1B}[32m"
        case .notice: "\u{1B}[36m"
        case .warning: "\u{1B}[33m"
        case .error, .critical: "\u{1B}[31m"
        }
    }

    /// A value as is when it is one plain word, else double-quoted with `"` and `\` escaped.
    static func quoted(_ value: String) -> String {
        let plain =
            !value.isEmpty && !value.contains { $0 == " " || $0 == "\"" || $0 == "=" || $0 == "\\" || $0.isNewline }
        if plain { return value }
        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
        return "\"\(escaped)\""
    }

    private static func timestamp(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let ms = Int(date.timeIntervalSince1970 * 1000) % 1000
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
            parts.tm_hour, parts.tm_min, parts.tm_sec, ms)
    }

    private static func clock(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970)
        var parts = tm()
        localtime_r(&seconds, &parts)
        let ms = Int(date.timeIntervalSince1970 * 1000) % 1000
        return String(format: "%02d:%02d:%02d.%03d", parts.tm_hour, parts.tm_min, parts.tm_sec, ms)
    }
}
