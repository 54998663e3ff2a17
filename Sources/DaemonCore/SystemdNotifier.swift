public import Foundation
import Glibc

/// `sd_notify` without libsystemd: one datagram per message to the AF_UNIX socket named by
/// `$NOTIFY_SOCKET` (a path, or `@name` for the abstract namespace). Every call is a silent no-op when
/// the daemon was not started by systemd with `Type=notify`.
///
/// Messages the daemon sends: `READY=1` once the startup scan is done, `STATUS=...` with queue counts,
/// `WATCHDOG=1` every half `$WATCHDOG_USEC`, `RELOADING=1` on SIGHUP, and `STOPPING=1` on shutdown.
public struct SystemdNotifier: Sendable {
    /// The socket address, or nil when notifications are off.
    public let socketAddress: String?
    /// How often to send `WATCHDOG=1`: half of `$WATCHDOG_USEC`, when that is set for this process.
    public let watchdogInterval: Duration?

    /// A notifier for an explicit socket (tests, or a socket passed some other way).
    public init(socketAddress: String?, watchdogInterval: Duration? = nil) {
        self.socketAddress = socketAddress.flatMap { $0.isEmpty ? nil : $0 }
        self.watchdogInterval = watchdogInterval
    }

    /// A notifier configured from `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID`.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> SystemdNotifier {
        var watchdog: Duration?
        // WATCHDOG_PID, when present, names the process the watchdog is meant for; a child that inherited
        // the variables must not ping on the daemon's behalf.
        let forUs = environment["WATCHDOG_PID"].map { Int32($0) == getpid() } ?? true
        if forUs, let text = environment["WATCHDOG_USEC"], let usec = Int64(text), usec > 0 {
            watchdog = .microseconds(usec / 2)
        }
        return SystemdNotifier(socketAddress: environment["NOTIFY_SOCKET"], watchdogInterval: watchdog)
    }

    /// True when a socket is configured.
    public var isEnabled: Bool { socketAddress != nil }

    /// Sends one message (`KEY=VALUE` lines). Returns false when off or when sending failed.
    ///
    /// Never blocks the daemon for long: the send is non-blocking, because a full receive queue on the
    /// other side (systemd busy or hung, or a test that reads late; Linux queues only
    /// `net.unix.max_dgram_qlen`, 10 by default) would otherwise stall the thread, and with it the
    /// daemon's tasks. `WATCHDOG=1` and `STATUS=` lines that find the queue full are dropped (the next
    /// one follows soon); other messages (`READY=1`, `RELOADING=1`, `STOPPING=1`) retry for up to 50 ms.
    @discardableResult
    public func notify(_ message: String) -> Bool {
        guard let socketAddress else { return false }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var path = Array(socketAddress.utf8)
        let abstract = path.first == UInt8(ascii: "@")
        if abstract { path[0] = 0 }  // abstract namespace: leading NUL, no terminating NUL
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.count + (abstract ? 0 : 1) <= capacity else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path)
            if !abstract { raw[path.count] = 0 }
        }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + path.count + (abstract ? 0 : 1))

        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let bytes = Array(message.utf8)
        let droppable = message.hasPrefix("WATCHDOG=1") || message.hasPrefix("STATUS=")
        for attempt in 0..<(droppable ? 1 : 25) {
            if attempt > 0 { usleep(2000) }
            let sent = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                    bytes.withUnsafeBytes {
                        sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT), sa, length)
                    }
                }
            }
            if sent == bytes.count { return true }
            guard sent < 0, errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR else { return false }
        }
        return false
    }
}
