import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The run's stderr: log lines, and on a terminal one progress line kept at the bottom.
///
/// Only a terminal gets the progress line: a pipe (the daemon's capture, `| tee`) sees plain log lines with no
/// carriage returns in them. Shared by the log handler and the training loop, so both go through one lock.
final class TerminalOutput: Sendable {
    private struct State {
        var progress: String?
        var lastDraw: ContinuousClock.Instant?
    }
    private let state = Mutex(State())
    /// Whether stderr is a terminal; decided once.
    let isTerminal: Bool
    /// False silences the log echo (`kiln run --quiet`); the progress line stays.
    let echoesLog: Bool

    init(echoesLog: Bool = true, isTerminal: Bool = isatty(2) == 1) {
        self.echoesLog = echoesLog
        self.isTerminal = isTerminal
    }

    /// Prints one log line, lifting the progress line above it.
    func printLine(_ line: String) {
        guard echoesLog else { return }
        state.withLock { s in
            if isTerminal, let progress = s.progress {
                Self.write("\r\u{1B}[K" + line + "\n" + progress)
            } else {
                Self.write(line + "\n")
            }
        }
    }

    /// Replaces the progress line, at most ten times a second unless `force`.
    func setProgress(_ text: String, force: Bool = false) {
        guard isTerminal else { return }
        let now = ContinuousClock.now
        state.withLock { s in
            if !force, let last = s.lastDraw, now - last < .milliseconds(100) { return }
            s.lastDraw = now
            s.progress = text
            Self.write("\r\u{1B}[K" + text)
        }
    }

    /// Removes the progress line (the run is over).
    func clearProgress() {
        guard isTerminal else { return }
        state.withLock { s in
            if s.progress != nil { Self.write("\r\u{1B}[K") }
            s.progress = nil
        }
    }

    private static func write(_ text: String) {
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(2, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                offset += n
            }
        }
    }
}
