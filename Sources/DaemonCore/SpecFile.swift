public import Foundation
import Glibc

/// Which names in the drop directory mean something, and how a spec is read safely.
public enum SpecFile {
    /// What a file in the drop directory is.
    public enum Kind: Sendable, Equatable {
        /// `NAME.yaml` or `NAME.yml`: an experiment spec.
        case spec
        /// `NAME.cancel`: a request to cancel the run of `NAME.yaml`.
        case cancelRequest
    }

    /// The kind of a file name, or nil when the daemon ignores it.
    ///
    /// Ignored: dotfiles (editor swap files and our own `.x.tmp` temporaries), editor backups (`~`),
    /// partial downloads and temporaries (`.swp`, `.tmp`, `.part`), and anything else that is not
    /// `.yaml`, `.yml` or `.cancel`. Producers should write elsewhere (or under a dot name) and rename in.
    public static func kind(ofFileNamed name: String) -> Kind? {
        guard !name.hasPrefix("."), !name.hasSuffix("~") else { return nil }
        let lower = name.lowercased()
        for junk in [".swp", ".swx", ".tmp", ".part"] where lower.hasSuffix(junk) { return nil }
        if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") {
            return name.count > (lower.hasSuffix(".yml") ? 4 : 5) ? .spec : nil
        }
        if lower.hasSuffix(".cancel") { return name.count > 7 ? .cancelRequest : nil }
        return nil
    }

    /// True for a subfolder of the drop directory that is watched for specs: not hidden, and not a run
    /// folder (`NAME.run`, `NAME.run.N`), whose many checkpoint writes would only be noise.
    public static func isWatchedSubfolder(named name: String) -> Bool {
        !name.hasPrefix(".") && !RunFolder.isRunDirectoryName(name)
    }

    /// Why a spec could not be read.
    public enum ReadError: Error, Equatable, CustomStringConvertible {
        /// The file is gone (deleted or renamed away since the event).
        case missing
        /// A symlink whose target is outside the drop directory (or does not exist).
        case escapesDropDirectory(target: String)
        /// Not a regular file (a FIFO, a device, a directory): opening it could block or mislead.
        case notRegularFile
        /// Larger than the configured limit.
        case tooLarge(bytes: Int, limit: Int)
        /// Any other OS error.
        case unreadable(errno: Int32)

        public var description: String {
            switch self {
            case .missing: "the spec file disappeared"
            case .escapesDropDirectory(let target):
                "refused: the spec is a symlink to \(target.isEmpty ? "a missing file" : target), "
                    + "outside the drop directory"
            case .notRegularFile: "refused: the spec is not a regular file"
            case .tooLarge(let bytes, let limit):
                "refused: the spec has \(bytes) bytes, more than the limit of \(limit)"
            case .unreadable(let e): "the spec cannot be read: \(String(cString: strerror(e)))"
            }
        }
    }

    /// Reads a spec, refusing a symlink that leads out of `dropDirectory`, non-regular files and
    /// files over `maxBytes`.
    ///
    /// The file is opened with `O_NOFOLLOW` on its resolved path, so swapping in a symlink after the
    /// check fails instead of reading outside the drop directory; `O_NONBLOCK` keeps a FIFO from
    /// hanging the intake.
    public static func read(_ url: URL, dropDirectory: URL, maxBytes: Int) throws(ReadError) -> Data {
        var path = url.path
        var st = stat()
        guard lstat(path, &st) == 0 else { throw errno == ENOENT ? .missing : .unreadable(errno: errno) }
        if st.st_mode & S_IFMT == S_IFLNK {
            let resolved = realPath(path)
            guard let resolved, let root = realPath(dropDirectory.path),
                resolved.hasPrefix(root.hasSuffix("/") ? root : root + "/")
            else {
                throw .escapesDropDirectory(target: resolved ?? "")
            }
            path = resolved
        }
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else {
            switch errno {
            case ENOENT: throw .missing
            case ELOOP: throw .escapesDropDirectory(target: path)
            default: throw .unreadable(errno: errno)
            }
        }
        defer { close(fd) }
        guard fstat(fd, &st) == 0 else { throw .unreadable(errno: errno) }
        guard st.st_mode & S_IFMT == S_IFREG else { throw .notRegularFile }
        guard Int(st.st_size) <= maxBytes else { throw .tooLarge(bytes: Int(st.st_size), limit: maxBytes) }

        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .unreadable(errno: errno)
            }
            if n == 0 { break }
            data.append(contentsOf: buffer[0..<n])
            // The file may grow after fstat; the limit still holds.
            if data.count > maxBytes { throw .tooLarge(bytes: data.count, limit: maxBytes) }
        }
        return data
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
