public import Foundation

/// What the drop-directory watcher reports to the intake. Paths are absolute file URLs.
public enum DropEvent: Sendable, Equatable {
    /// A spec was written and closed, or moved in, and has been quiet for the debounce period.
    case specReady(URL)
    /// A spec was deleted or moved away (and did not come back within the debounce period).
    case specRemoved(URL)
    /// A `NAME.cancel` file appeared.
    case cancelRequested(URL)
    /// A full listing of the drop directory: at startup (`initial`), after an inotify queue overflow,
    /// when a subfolder vanished, and every rescan period. The intake compares it with what it knows,
    /// which catches any event that was missed.
    case rescanned(specs: [URL], cancelRequests: [URL], initial: Bool)
}
