public import Foundation
public import PluginAPI

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Resolves paths written in a spec and keeps them inside a set of allowed roots.
///
/// A relative path is taken relative to the spec's directory. The result must lie inside a root
/// twice over: as written (so `..` and absolute paths cannot leave), and after every symlink is
/// resolved (so a link inside a root cannot point outside it). Roots are themselves resolved first,
/// so a root reached through a symlink (`/tmp` on some systems) still compares correctly.
public struct PathPolicy: Sendable {
    /// The allowed roots, symlinks resolved.
    public let roots: [URL]
    /// What the roots are called in messages: "data roots".
    public let rootsName: String

    /// A policy confining paths to `roots`.
    public init(roots: [URL], rootsName: String = "data roots") {
        self.roots = roots.map { URL(fileURLWithPath: Self.realPath($0.path)) }
        self.rootsName = rootsName
    }

    /// The resolved, symlink-free path for `path` written in a spec located in `directory`.
    public func resolve(
        _ path: String, relativeTo directory: URL, requirement: PathRequirement = .any
    ) throws(PathError) -> URL {
        guard !path.isEmpty else { throw PathError(path: path, reason: .empty, rootsName: rootsName, roots: roots) }
        let isAbsolute = path.hasPrefix("/")
        let base = Self.realPath(directory.path)
        let lexical = Self.normalized(isAbsolute ? path : base + "/" + path)
        guard isInsideRoots(lexical) else {
            // Without a `..` step a relative path stays under the spec's folder, so that folder is what is outside.
            let reason: PathError.Reason =
                isAbsolute
                ? .absoluteOutsideRoots
                : Self.components(path).contains("..") ? .parentEscape(lexical) : .folderOutsideRoots(base)
            throw PathError(path: path, reason: reason, rootsName: rootsName, roots: roots)
        }
        let real = Self.realPath(lexical)
        guard isInsideRoots(real) else {
            throw PathError(path: path, reason: .symlinkEscape(real), rootsName: rootsName, roots: roots)
        }
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: real, isDirectory: &isDirectory)
        switch requirement {
        case .existingFile where !exists, .existingDirectory where !exists:
            throw PathError(path: path, reason: .missing(real), rootsName: rootsName, roots: roots)
        case .existingFile where isDirectory.boolValue:
            throw PathError(path: path, reason: .notAFile, rootsName: rootsName, roots: roots)
        case .existingDirectory where !isDirectory.boolValue:
            throw PathError(path: path, reason: .notADirectory, rootsName: rootsName, roots: roots)
        default:
            return URL(fileURLWithPath: real)
        }
    }

    private func isInsideRoots(_ path: String) -> Bool {
        let components = Self.components(path)
        return roots.contains { root in components.starts(with: Self.components(root.path)) }
    }

    private static func components(_ path: String) -> [Substring] { path.split(separator: "/") }

    /// `.` and `..` removed without touching the file system; `..` at `/` stays at `/`.
    static func normalized(_ path: String) -> String {
        var out: [Substring] = []
        for part in components(path) {
            switch part {
            case ".": continue
            case "..": _ = out.popLast()
            default: out.append(part)
            }
        }
        return "/" + out.joined(separator: "/")
    }

    /// `realpath` of the longest existing prefix, with the rest appended: a path that does not exist
    /// yet still has every symlink on its way resolved.
    static func realPath(_ path: String) -> String {
        var existing = normalized(path)
        var missing: [Substring] = []
        while true {
            if let resolved = realpath(existing, nil) {
                defer { free(resolved) }
                let head = String(cString: resolved)
                return missing.isEmpty ? head : normalized(head + "/" + missing.reversed().joined(separator: "/"))
            }
            guard existing != "/", let last = components(existing).last else { return normalized(path) }
            missing.append(last)
            existing = "/" + components(existing).dropLast().joined(separator: "/")
        }
    }
}

/// Why a path in a spec was refused.
public struct PathError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The specific reason.
    public enum Reason: Sendable, Hashable {
        /// The path is empty.
        case empty
        /// A relative path whose `..` steps lead outside the roots, to the given place.
        case parentEscape(String)
        /// A relative path without `..` in a spec whose folder, given here, is outside every root.
        case folderOutsideRoots(String)
        /// An absolute path outside every root.
        case absoluteOutsideRoots
        /// A path inside the roots that a symlink sends outside, to the given target.
        case symlinkEscape(String)
        /// Nothing exists at the resolved path.
        case missing(String)
        /// A file was required, a directory was found.
        case notAFile
        /// A directory was required, something else was found.
        case notADirectory
    }

    /// The path as written in the spec.
    public var path: String
    /// Why it was refused.
    public var reason: Reason
    /// What the roots are called: "data roots".
    public var rootsName: String
    /// The roots it had to stay in.
    public var roots: [URL]

    /// A sentence that names the path, the reason and the roots.
    public var description: String {
        let rootList = roots.map(\.path).joined(separator: ", ")
        switch reason {
        case .empty: return "must not be empty"
        case .parentEscape(let target):
            return "'\(path)' uses '..' to leave the \(rootsName) (it leads to \(target); allowed: \(rootList))"
        case .folderOutsideRoots(let folder):
            return "'\(path)' is relative to the spec's folder \(folder), which is outside the \(rootsName) "
                + "(allowed: \(rootList))"
        case .absoluteOutsideRoots: return "absolute path '\(path)' is outside the \(rootsName) (allowed: \(rootList))"
        case .symlinkEscape(let target):
            return "'\(path)' goes through a symlink to \(target), outside the \(rootsName) (allowed: \(rootList))"
        case .missing(let resolved): return "'\(path)' does not exist (looked for \(resolved))"
        case .notAFile: return "'\(path)' is a directory; a file is required"
        case .notADirectory: return "'\(path)' is not a directory"
        }
    }
}
