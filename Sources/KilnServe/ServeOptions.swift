public import ArgumentParser
public import DaemonCore
public import Foundation
import Logging

/// The options of `kiln serve`, which `kilnd` takes too (`kiln serve` execs it with the same arguments).
public struct ServeOptions: ParsableArguments, Sendable {
    @Option(name: .customLong("drop"), help: "The drop directory (overrides drop_directory in the settings).")
    public var drop: String?

    @Option(name: .customLong("config"), help: "The settings file (see etc/kiln.yaml); defaults apply without one.")
    public var config: String?

    @Option(
        name: .customLong("log-level"),
        help: "trace, debug, info, notice, warning, error or critical (default: $KILN_LOG_LEVEL, else info).")
    public var logLevel: String?

    @Flag(name: .customLong("check"), help: "Check the settings and exit: 0 when valid, 78 with the problems.")
    public var checkOnly = false

    public init() {}

    /// EX_CONFIG from sysexits.h: the unit's `RestartPreventExitStatus=78` stops systemd from restarting
    /// a daemon whose settings cannot work.
    public static let invalidSettingsExitCode: Int32 = 78

    public func validate() throws {
        guard Logger.Level(rawValue: levelName) != nil else {
            throw ValidationError("unknown log level '\(levelName)'")
        }
    }

    var levelName: String { logLevel ?? ProcessInfo.processInfo.environment["KILN_LOG_LEVEL"] ?? "info" }

    /// The settings file (if any) with `--drop` applied, checked in full.
    public func loadSettings() throws -> DaemonConfig {
        var settings = DaemonConfig()
        if let config { settings = try DaemonConfig.load(contentsOf: URL(fileURLWithPath: config)) }
        if let drop { settings.dropDirectory = drop }
        settings.dropDirectory = Self.absolute(settings.dropDirectory).path
        let problems = settings.problems()
        guard problems.isEmpty else { throw DaemonError.invalidConfiguration(problems) }
        return settings
    }

    /// `path` made absolute against the current directory, `.` and `..` removed.
    public static func absolute(_ path: String) -> URL {
        URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL
    }
}
