import ArgumentParser
import DaemonCore
import Foundation

/// `--drop DIR` and `--config FILE` for the commands that talk to a daemon through its drop directory
/// (`status`, `cancel`, `tail`, `wait`).
///
/// The drop directory is, first found: `--drop`; `$KILN_DROP`; `drop_directory` in `--config`, or in
/// `/etc/kiln/kiln.yaml` when that exists (the service's settings); the built-in `/var/lib/kiln/drop`.
struct DropDirectoryOptions: ParsableArguments {
    @Option(name: .customLong("drop"), help: "The drop directory the daemon watches.")
    var drop: String?

    @Option(name: .customLong("config"), help: "Read the drop directory from this daemon settings file.")
    var config: String?

    /// Where the service's settings are installed (`etc/kiln.yaml` in the repository).
    static let systemConfig = "/etc/kiln/kiln.yaml"

    /// The drop directory, as an absolute URL.
    func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> URL {
        if let drop { return Self.absolute(drop) }
        if let fromEnvironment = environment["KILN_DROP"], !fromEnvironment.isEmpty {
            return Self.absolute(fromEnvironment)
        }
        let file = config ?? (FileManager.default.isReadableFile(atPath: Self.systemConfig) ? Self.systemConfig : nil)
        if let file {
            do {
                return Self.absolute(try DaemonConfig.load(contentsOf: URL(fileURLWithPath: file)).dropDirectory)
            } catch {
                throw ValidationError("cannot read the drop directory from \(file):\n\(error)")
            }
        }
        return Self.absolute(DaemonConfig().dropDirectory)
    }

    /// `path` made absolute against the current directory, `.` and `..` removed.
    static func absolute(_ path: String) -> URL {
        URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL
    }
}

/// Refuses a name that matches neither a spec nor a run folder, so a typo is an error rather than a
/// wait forever.
func requireRun(named name: String, in drop: URL) throws -> RunFolder {
    let folder = RunControl.folder(named: name, dropDirectory: drop)
    let manager = FileManager.default
    guard manager.fileExists(atPath: folder.spec.path) || manager.fileExists(atPath: folder.directory.path) else {
        throw CLIFailure("no spec or run named '\(name)' in \(drop.path)")
    }
    return folder
}

/// A failure reported as one line on stderr, exiting with `code`.
struct CLIFailure: Error, CustomStringConvertible {
    var description: String
    var code: Int32

    init(_ description: String, code: Int32 = 1) {
        self.description = description
        self.code = code
    }
}

extension CLIFailure {
    /// Prints the message as `kiln: ...` and turns it into ArgumentParser's exit.
    func exit() -> ExitCode {
        FileHandle.standardError.write(Data("kiln: \(description)\n".utf8))
        return ExitCode(code)
    }
}
