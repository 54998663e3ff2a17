public import Foundation
import Glibc

/// Newline-terminated messages over descriptors (a socket, or a pair of pipes), with deadlines: the spec
/// checker and the daemon talk this way (one JSON line each way per spec).
///
/// Both descriptors are switched to non-blocking, so a peer that stops reading or writing costs at most
/// the deadline, never a hung daemon.
public struct LinePipe {
    private let input: Int32
    private let output: Int32
    private var buffered: [UInt8] = []

    /// Reads lines from `input` and writes lines to `output`; it does not own (close) them, so copies share
    /// the descriptors but not the buffered input: keep one.
    public init(input: Int32, output: Int32) {
        self.input = input
        self.output = output
        for fd in [input, output] { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
    }

    /// Writes `line` and a newline. False when the peer is gone (EPIPE) or the deadline passed.
    public func send(_ line: Data, within timeout: Duration) -> Bool {
        var bytes = [UInt8](line)
        bytes.append(UInt8(ascii: "\n"))
        let deadline = ContinuousClock.now + timeout
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                // MSG_NOSIGNAL: a peer that went away is an EPIPE to handle, not a SIGPIPE ending this process.
                let sent = Glibc.send(output, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                guard sent < 0, errno == ENOTSOCK else { return sent }
                return write(output, raw.baseAddress! + offset, raw.count - offset)
            }
            if n > 0 {
                offset += n
                continue
            }
            guard n < 0, errno == EAGAIN || errno == EINTR, wait(for: output, events: POLLOUT, until: deadline) else {
                return false
            }
        }
        return true
    }

    /// The next line (without its newline); nil at end of input or when `timeout` passes first.
    public mutating func receive(within timeout: Duration) -> Data? {
        let deadline = ContinuousClock.now + timeout
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            if let newline = buffered.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Data(buffered[..<newline])
                buffered.removeSubrange(...newline)
                return line
            }
            let n = chunk.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if n > 0 {
                buffered += chunk[..<n]
                continue
            }
            guard n < 0, errno == EAGAIN || errno == EINTR, wait(for: input, events: POLLIN, until: deadline) else {
                return nil
            }
        }
    }

    /// Waits until `fd` is ready for `events` (or has hung up); false when the deadline passes first.
    private func wait(for fd: Int32, events: Int32, until deadline: ContinuousClock.Instant) -> Bool {
        while true {
            let left = ContinuousClock.now.duration(to: deadline)
            guard left > .zero else { return false }
            let (seconds, attoseconds) = left.components
            let ms = Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
            var pfd = pollfd(fd: fd, events: Int16(events), revents: 0)
            let rc = poll(&pfd, 1, ms)
            if rc > 0 { return true }
            if rc < 0 && errno != EINTR { return false }
        }
    }
}
