import Foundation
import Glibc
import PluginAPI
import ServiceLifecycle
import Testing

@testable import DaemonCore

/// A stand-in for systemd: an AF_UNIX datagram socket bound at a path or an abstract name.
final class NotifySocket: Sendable {
    let fd: Int32
    let address: String

    init(abstract: Bool, directory: URL) throws {
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        address =
            abstract
            ? "@kiln-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            : directory.appendingPathComponent("notify.sock").path
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(address.utf8)
        if abstract { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &addr.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + bytes.count + (abstract ? 0 : 1))
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard rc == 0 else { throw DaemonError.system("bind \(address)", errno: errno) }
    }

    deinit { close(fd) }

    /// The next datagram, waiting up to `timeout` on a thread of its own.
    func receive(timeout: Duration = .seconds(5)) async -> String? {
        let fd = self.fd
        let ms = Int32(timeout.components.seconds * 1000)
        return await withCheckedContinuation { done in
            Thread {
                var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&pfd, 1, ms) == 1 else { return done.resume(returning: nil) }
                done.resume(returning: Self.read(fd))
            }.start()
        }
    }

    /// Every datagram already queued, without waiting.
    func drain() -> [String] {
        var all: [String] = []
        while let message = Self.read(fd, flags: Int32(MSG_DONTWAIT)) { all.append(message) }
        return all
    }

    private static func read(_ fd: Int32, flags: Int32 = 0) -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = recv(fd, &buffer, buffer.count, flags)
        return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : nil
    }
}

@Suite struct SystemdNotifierTests {
    @Test(arguments: [false, true])
    func sendsToPathAndAbstractSockets(abstract: Bool) async throws {
        let dir = try TempDirectory("notify")
        defer { dir.remove() }
        let socket = try NotifySocket(abstract: abstract, directory: dir.url)
        let notifier = SystemdNotifier(socketAddress: socket.address)
        #expect(notifier.notify("READY=1\nSTATUS=up"))
        #expect(await socket.receive() == "READY=1\nSTATUS=up")
    }

    @Test func aReceiverThatDoesNotReadNeverBlocksTheSender() async throws {
        let dir = try TempDirectory("notify-full")
        defer { dir.remove() }
        let socket = try NotifySocket(abstract: false, directory: dir.url)
        let notifier = SystemdNotifier(socketAddress: socket.address)
        let start = ContinuousClock.now
        // Far more than the kernel queues for an unread datagram socket (max_dgram_qlen, 10 by default).
        let delivered = (0..<200).filter { _ in notifier.notify("WATCHDOG=1") }.count
        #expect(delivered >= 1 && delivered < 200, "the queue never filled up")
        // Still full: retried for about 50 ms, then given up.
        #expect(!notifier.notify("STOPPING=1"))
        #expect(start.duration(to: .now) < .seconds(2))
        #expect(await socket.receive() == "WATCHDOG=1")
    }

    @Test func isANoOpWithoutNotifySocket() {
        let notifier = SystemdNotifier.fromEnvironment([:])
        #expect(!notifier.isEnabled && !notifier.notify("READY=1") && notifier.watchdogInterval == nil)
    }

    @Test func watchdogIntervalIsHalfTheTimeoutForThisProcessOnly() {
        let mine = SystemdNotifier.fromEnvironment(["WATCHDOG_USEC": "2000000", "WATCHDOG_PID": "\(getpid())"])
        #expect(mine.watchdogInterval == .seconds(1))
        let theirs = SystemdNotifier.fromEnvironment(["WATCHDOG_USEC": "2000000", "WATCHDOG_PID": "1"])
        #expect(theirs.watchdogInterval == nil)
    }

    @Test func daemonSendsReadyStatusAndStoppingInOrder() async throws {
        let h = try DaemonHarness()
        defer { h.root.remove() }
        let socket = try NotifySocket(abstract: false, directory: h.root.url)
        try await h.run(notifier: SystemdNotifier(socketAddress: socket.address)) { _ in
            let ready = await socket.receive()
            #expect(ready == "READY=1\nSTATUS=0 running, 0 queued")
            try h.spec("exp")
            #expect(try await h.waitFor("exp").state == .succeeded)
        }
        // The daemon has stopped: everything it sent is waiting in the socket.
        let rest = socket.drain()
        #expect(rest.last == "STOPPING=1")
        #expect(rest.dropLast().allSatisfy { $0.hasPrefix("STATUS=") })
        #expect(rest.contains("STATUS=0 running, 0 queued, 1 succeeded"))
        #expect(!rest.contains { $0.contains("READY=1") })
    }

    @Test func watchdogPingsAtTheConfiguredInterval() async throws {
        let dir = try TempDirectory("watchdog")
        defer { dir.remove() }
        let socket = try NotifySocket(abstract: true, directory: dir.url)
        let ledger = JobLedger(settings: DaemonConfig(dropDirectory: dir.url.path))
        let service = SystemdNotifierService(
            notifier: SystemdNotifier(socketAddress: socket.address, watchdogInterval: .milliseconds(50)),
            ledger: ledger, logger: testLogger)
        let group = ServiceGroup(services: [service], logger: testLogger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            #expect(await socket.receive() == "WATCHDOG=1")
            await ledger.markReady()
            var seen: [String] = []
            while !seen.contains(where: { $0.hasPrefix("READY=1") }), let message = await socket.receive() {
                seen.append(message)
            }
            #expect(seen.last == "READY=1\nSTATUS=0 running, 0 queued")
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(socket.drain().last == "STOPPING=1")
    }

    @Test func reloadAppliesNewSettingsAndTellsSystemd() async throws {
        let dir = try TempDirectory("reload")
        defer { dir.remove() }
        let socket = try NotifySocket(abstract: true, directory: dir.url)
        var initial = DaemonConfig(dropDirectory: dir.url.path)
        initial.concurrency = 1
        let ledger = JobLedger(settings: initial)
        var next = initial
        next.concurrency = 4
        next.dropDirectory = "/elsewhere"  // needs a restart: ignored
        let service = ReloadService(
            ledger: ledger, notifier: SystemdNotifier(socketAddress: socket.address), logger: testLogger
        ) {
            [next] in next
        }
        await service.reloadOnce()
        #expect(await ledger.settings.concurrency == 4)
        #expect(await ledger.settings.dropDirectory == dir.url.path)
        let messages = socket.drain()
        #expect(
            messages.count == 2 && messages[0].hasPrefix("RELOADING=1\nMONOTONIC_USEC=") && messages[1] == "READY=1")
    }
}
