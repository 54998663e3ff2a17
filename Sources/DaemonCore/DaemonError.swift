import Glibc

/// Errors thrown by the daemon's components. Each case carries what is needed to act on it.
public enum DaemonError: Error, Equatable, CustomStringConvertible {
    /// A system call failed: what was attempted, and the OS error.
    case system(String, errno: Int32)
    /// The configuration cannot be used; one problem per line.
    case invalidConfiguration([String])
    /// The drop directory was deleted or moved away while watched.
    case dropDirectoryGone(String)
    /// The child process could not be started.
    case spawnFailed(program: String, errno: Int32)
    /// A wait ended before the run reached the awaited state.
    case timedOut(String)

    public var description: String {
        switch self {
        case .system(let what, let e): "\(what): \(String(cString: strerror(e)))"
        case .invalidConfiguration(let problems):
            "invalid daemon configuration:\n  " + problems.joined(separator: "\n  ")
        case .dropDirectoryGone(let path): "the drop directory \(path) was removed or moved away"
        case .spawnFailed(let program, let e): "cannot start \(program): \(String(cString: strerror(e)))"
        case .timedOut(let what): "timed out waiting for \(what)"
        }
    }
}
