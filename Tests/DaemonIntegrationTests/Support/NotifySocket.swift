import Foundation
import Glibc
import Synchronization

/// Stands in for systemd: an AF_UNIX datagram socket whose path is given to `kiln serve` as
/// `$NOTIFY_SOCKET`. Like systemd it reads continuously (on a thread of its own), so the daemon never
/// finds the queue full; `drain()` hands over what arrived, in order.
final class NotifySocket: Sendable {
    let path: String
    private let reader: Reader

    /// What the reading thread and the owner share; the thread closes the socket when told to stop.
    private final class Reader: Sendable {
        let fd: Int32
        let received = Mutex<[String]>([])
        let stop = Mutex(false)

        init(fd: Int32) { self.fd = fd }

        func run() {
            defer { close(fd) }
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !stop.withLock({ $0 }) {
                var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&pfd, 1, 20) > 0 else { continue }
                while true {
                    let n = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
                    guard n > 0 else { break }
                    let message = String(decoding: buffer[0..<n], as: UTF8.self)
                    received.withLock { $0.append(message) }
                }
            }
        }
    }

    init(path: String) throws {
        self.path = path
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            throw TimedOut(description: "socket path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + bytes.count + 1)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard rc == 0 else {
            close(fd)
            throw TimedOut(description: "bind \(path): errno \(errno)")
        }
        let reader = Reader(fd: fd)
        self.reader = reader
        Thread { reader.run() }.start()
    }

    deinit { reader.stop.withLock { $0 = true } }

    /// The messages received since the last call, in arrival order.
    func drain() -> [String] {
        reader.received.withLock { messages in
            defer { messages.removeAll() }
            return messages
        }
    }
}
