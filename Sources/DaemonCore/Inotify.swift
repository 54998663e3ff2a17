import Glibc

/// One record read from an inotify descriptor.
struct InotifyEvent: Sendable, Equatable {
    /// The watch the event belongs to.
    var wd: Int32
    /// `IN_*` bits.
    var mask: UInt32
    /// Pairs an `IN_MOVED_FROM` with its `IN_MOVED_TO`.
    var cookie: UInt32
    /// The file name inside the watched directory; empty for events on the directory itself.
    var name: String

    func has(_ flag: Int32) -> Bool { mask & UInt32(flag) != 0 }
    var isDirectory: Bool { has(IN_ISDIR) }

    /// Splits a buffer filled by `read(2)` into events.
    ///
    /// `struct inotify_event` ends in a flexible array that Swift does not import, so the records are
    /// parsed by hand: a 16-byte header (wd, mask, cookie, len) followed by `len` NUL-padded name bytes.
    static func parse(_ buffer: UnsafeRawBufferPointer) -> [InotifyEvent] {
        let header = 16
        var events: [InotifyEvent] = []
        var offset = 0
        while offset + header <= buffer.count {
            let wd = buffer.loadUnaligned(fromByteOffset: offset, as: Int32.self)
            let mask = buffer.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
            let cookie = buffer.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self)
            let length = Int(buffer.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
            let start = offset + header
            guard start + length <= buffer.count else { break }
            let nameBytes = UnsafeRawBufferPointer(rebasing: buffer[start..<(start + length)])
            let end = nameBytes.firstIndex(of: 0) ?? length
            let name = String(decoding: UnsafeRawBufferPointer(rebasing: nameBytes[0..<end]), as: UTF8.self)
            events.append(InotifyEvent(wd: wd, mask: mask, cookie: cookie, name: name))
            offset = start + length
        }
        return events
    }
}

/// An inotify descriptor plus a wake-up channel, used from one dedicated thread that blocks in `poll`.
///
/// Every stored property is an immutable descriptor, so the class is `Sendable` without a lock:
/// `wake()` may be called from any thread (a cancellation handler) while the owner thread polls.
/// The wake-up channel is a socketpair written with `MSG_NOSIGNAL`, so a late wake after the reader is
/// gone cannot kill the process with SIGPIPE (a pipe could).
final class Inotify: Sendable {
    private let fd: Int32
    private let wakeReader: Int32
    private let wakeWriter: Int32

    /// What a wait ended with.
    enum Wait {
        case events([InotifyEvent])
        case timedOut
        case woken
    }

    init() throws(DaemonError) {
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw .system("inotify_init1", errno: errno) }
        var pair: [Int32] = [-1, -1]
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
        guard socketpair(AF_UNIX, type, 0, &pair) == 0 else {
            let e = errno
            close(fd)
            throw .system("socketpair", errno: e)
        }
        wakeReader = pair[0]
        wakeWriter = pair[1]
    }

    deinit {
        close(fd)
        close(wakeReader)
        close(wakeWriter)
    }

    /// Adds (or updates) a watch on `path` and returns its descriptor.
    func addWatch(_ path: String, mask: UInt32) throws(DaemonError) -> Int32 {
        let wd = inotify_add_watch(fd, path, mask)
        guard wd >= 0 else { throw .system("inotify_add_watch \(path)", errno: errno) }
        return wd
    }

    /// Removes a watch; the kernel then sends `IN_IGNORED` for it.
    func removeWatch(_ wd: Int32) {
        _ = inotify_rm_watch(fd, wd)
    }

    /// Makes the current or next `wait` return `.woken`. Safe from any thread, any number of times.
    func wake() {
        var one: UInt8 = 1
        _ = send(wakeWriter, &one, 1, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
    }

    /// Blocks until events arrive, `timeoutMilliseconds` pass (-1: forever) or `wake()` is called.
    func wait(timeoutMilliseconds: Int32) throws(DaemonError) -> Wait {
        var fds = [
            pollfd(fd: fd, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wakeReader, events: Int16(POLLIN), revents: 0),
        ]
        let ready = poll(&fds, 2, timeoutMilliseconds)
        if ready < 0 {
            if errno == EINTR { return .events([]) }
            throw .system("poll", errno: errno)
        }
        if fds[1].revents != 0 { return .woken }
        if ready == 0 { return .timedOut }
        return .events(try drain())
    }

    /// Reads everything queued on the descriptor (it is non-blocking).
    private func drain() throws(DaemonError) -> [InotifyEvent] {
        // Large enough for hundreds of records per read; names are at most NAME_MAX bytes.
        let capacity = 64 * 1024
        var all: [InotifyEvent] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 8)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer.baseAddress, capacity)
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { return all }
                throw .system("read inotify", errno: errno)
            }
            if n == 0 { return all }
            all += InotifyEvent.parse(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
    }
}
