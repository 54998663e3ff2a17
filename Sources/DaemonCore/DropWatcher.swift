public import Foundation
import Glibc
public import Logging
public import ServiceLifecycle

/// Watches the drop directory and its direct subfolders with inotify and reports settled specs,
/// removals and cancel requests as `DropEvent`s.
///
/// - A spec counts once it is moved in (`IN_MOVED_TO`: at once, a rename is atomic) or closed after
///   writing (`IN_CLOSE_WRITE`) and then quiet for the debounce period. Producers should write elsewhere
///   and rename in.
/// - Subfolders created or moved in later get a watch of their own and are scanned at once, since files
///   may land in them before the watch exists. Run folders (`NAME.run`, `NAME.run.N`) are not watched.
/// - A full listing (`DropEvent.rescanned`) goes out at startup, after `IN_Q_OVERFLOW`, when a
///   subfolder vanishes, and every `rescanPeriod`; it is the safety net for anything missed, not polling.
///
/// All inotify work happens on one dedicated thread blocking in `poll`, so no async task is tied up
/// and the watch table needs no lock: it is local to that thread.
public struct DropWatcher: Service {
    private let dropDirectory: URL
    private let debounce: Duration
    private let rescanPeriod: Duration
    private let output: AsyncStream<DropEvent>.Continuation
    private let logger: Logger

    /// - Parameters:
    ///   - dropDirectory: the directory to watch; it must exist.
    ///   - debounce: how long a path must be quiet before it is reported.
    ///   - rescanPeriod: time between full listings.
    ///   - events: where the events go (the intake's stream).
    public init(
        dropDirectory: URL, debounce: Duration, rescanPeriod: Duration,
        events: AsyncStream<DropEvent>.Continuation, logger: Logger
    ) {
        self.dropDirectory = dropDirectory.standardizedFileURL
        self.debounce = debounce
        self.rescanPeriod = rescanPeriod
        self.output = events
        self.logger = logger
    }

    /// Watches until cancelled or shut down gracefully; throws if the drop directory disappears.
    public func run() async throws {
        let inotify = try Inotify()
        let (root, debounce, rescanPeriod, output, logger) =
            (dropDirectory.path, debounce, rescanPeriod, output, logger)
        try await withTaskCancellationOrGracefulShutdownHandler {
            try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
                let thread = Thread {
                    var loop = WatchLoop(
                        inotify: inotify, root: root, debounce: DebounceBuffer(quietPeriod: debounce),
                        rescanPeriod: rescanPeriod, output: output, logger: logger)
                    do {
                        try loop.run()
                        done.resume()
                    } catch {
                        done.resume(throwing: error)
                    }
                }
                thread.name = "kiln-drop-watcher"
                thread.start()
            }
        } onCancelOrGracefulShutdown: {
            // The wake byte stays in the socket, so a wake before the thread polls is not lost.
            inotify.wake()
        }
        logger.debug("drop watcher stopped", metadata: ["drop.path": "\(dropDirectory.path)"])
    }
}

/// The watcher's state machine; lives on the watcher thread only.
private struct WatchLoop {
    let inotify: Inotify
    let root: String
    var debounce: DebounceBuffer
    let rescanPeriod: Duration
    let output: AsyncStream<DropEvent>.Continuation
    let logger: Logger
    /// Watch descriptor → absolute directory path.
    var watches: [Int32: String] = [:]
    var rootWatch: Int32 = -1
    var rescanWanted = false

    static let fileEvents = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE)
    static let selfEvents = UInt32(IN_DELETE_SELF | IN_MOVE_SELF)
    static let rootMask = fileEvents | selfEvents | UInt32(IN_CREATE | IN_ONLYDIR)
    // Subfolders are not followed through symlinks: a linked folder could lead out of the drop directory.
    static let subfolderMask = fileEvents | UInt32(IN_ONLYDIR | IN_DONT_FOLLOW)

    init(
        inotify: Inotify, root: String, debounce: DebounceBuffer, rescanPeriod: Duration,
        output: AsyncStream<DropEvent>.Continuation, logger: Logger
    ) {
        self.inotify = inotify
        self.root = root
        self.debounce = debounce
        self.rescanPeriod = rescanPeriod
        self.output = output
        self.logger = logger
    }

    mutating func run() throws(DaemonError) {
        rootWatch = try inotify.addWatch(root, mask: Self.rootMask)
        watches[rootWatch] = root
        // Watches first, listing second: a file that lands in between shows up in one or the other.
        rescan(initial: true)
        let clock = ContinuousClock()
        var nextRescan = clock.now + rescanPeriod
        while true {
            let deadline = min(debounce.nextDue ?? nextRescan, nextRescan)
            switch try inotify.wait(timeoutMilliseconds: Self.milliseconds(until: deadline, clock: clock)) {
            case .woken: return
            case .timedOut: break
            case .events(let events):
                for event in events { try handle(event) }
            }
            let now = clock.now
            for (path, change) in debounce.takeDue(at: now) { emit(path: path, change: change) }
            if rescanWanted || now >= nextRescan {
                rescan(initial: false)
                rescanWanted = false
                nextRescan = now + rescanPeriod
            }
        }
    }

    private mutating func handle(_ event: InotifyEvent) throws(DaemonError) {
        if event.has(IN_Q_OVERFLOW) {
            logger.warning("inotify queue overflowed; rescanning", metadata: ["drop.path": "\(root)"])
            rescanWanted = true
            return
        }
        guard let directory = watches[event.wd] else { return }
        if event.has(IN_IGNORED) {
            watches[event.wd] = nil
            if event.wd == rootWatch { throw .dropDirectoryGone(root) }
            return
        }
        if event.wd == rootWatch && event.mask & Self.selfEvents != 0 { throw .dropDirectoryGone(root) }
        guard !event.name.isEmpty else { return }
        let path = directory + "/" + event.name

        if event.isDirectory {
            guard event.wd == rootWatch, SpecFile.isWatchedSubfolder(named: event.name) else { return }
            if event.has(IN_CREATE) || event.has(IN_MOVED_TO) {
                watchSubfolder(path)
                for file in listFiles(in: path) { debounce.note(file, .written, at: .now) }
            } else if event.has(IN_MOVED_FROM) || event.has(IN_DELETE) {
                // Its specs are gone with it; the rescan lets the intake cancel what ran from there.
                if let wd = watches.first(where: { $0.value == path })?.key {
                    inotify.removeWatch(wd)
                    watches[wd] = nil
                }
                rescanWanted = true
            }
            return
        }
        guard SpecFile.kind(ofFileNamed: event.name) != nil else { return }
        if event.has(IN_MOVED_TO) {
            // A rename is atomic: the content is complete the moment the name appears, so it is taken at
            // once (pick-up latency is a few milliseconds). A close after the rename, as Foundation's
            // `.atomic` writes do, re-notes the path; the intake sees the same content and does nothing.
            debounce.note(path, .written, at: .now, quiet: .zero)
        } else if event.has(IN_CLOSE_WRITE) {
            debounce.note(path, .written, at: .now)
        } else if event.has(IN_DELETE) || event.has(IN_MOVED_FROM) {
            debounce.note(path, .removed, at: .now)
        }
    }

    private func emit(path: String, change: DebounceBuffer.Change) {
        let url = URL(fileURLWithPath: path)
        let name = url.lastPathComponent
        switch (SpecFile.kind(ofFileNamed: name), change) {
        case (.spec, .written): output.yield(.specReady(url))
        case (.spec, .removed): output.yield(.specRemoved(url))
        case (.cancelRequest, .written): output.yield(.cancelRequested(url))
        case (.cancelRequest, .removed), (nil, _): break
        }
    }

    private mutating func watchSubfolder(_ path: String) {
        do {
            let wd = try inotify.addWatch(path, mask: Self.subfolderMask)
            watches[wd] = path
        } catch {
            // Gone again already, or a symlink (IN_DONT_FOLLOW): either way there is nothing to watch.
            logger.debug("subfolder not watched", metadata: ["dir.path": "\(path)", "error": "\(error)"])
        }
    }

    /// Lists everything, refreshes subfolder watches (a missed IN_CREATE leaves one unwatched) and
    /// reports the listing.
    private mutating func rescan(initial: Bool) {
        var files = listFiles(in: root)
        for name in Self.entries(of: root) where SpecFile.isWatchedSubfolder(named: name) {
            let path = root + "/" + name
            guard Self.isRealDirectory(path) else { continue }
            if !watches.values.contains(path) { watchSubfolder(path) }
            files += listFiles(in: path)
        }
        var specs: [URL] = []
        var cancels: [URL] = []
        for path in files.sorted() {
            let url = URL(fileURLWithPath: path)
            switch SpecFile.kind(ofFileNamed: url.lastPathComponent) {
            case .spec: specs.append(url)
            case .cancelRequest: cancels.append(url)
            case nil: break
            }
        }
        output.yield(.rescanned(specs: specs, cancelRequests: cancels, initial: initial))
    }

    /// Paths of the spec and cancel files directly in `directory` (symlinks included; the intake checks them).
    private func listFiles(in directory: String) -> [String] {
        Self.entries(of: directory).filter { SpecFile.kind(ofFileNamed: $0) != nil }.map { directory + "/" + $0 }
    }

    private static func entries(of directory: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    }

    private static func isRealDirectory(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFDIR
    }

    private static func milliseconds(until deadline: ContinuousClock.Instant, clock: ContinuousClock) -> Int32 {
        let remaining = clock.now.duration(to: deadline)
        if remaining <= .zero { return 0 }
        let (seconds, attoseconds) = remaining.components
        // Round up, so the wait never ends just before the deadline and spins once more.
        let ms = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: ms)
    }
}
