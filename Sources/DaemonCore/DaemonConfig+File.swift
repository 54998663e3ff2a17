public import Foundation
public import Spec

extension DaemonConfig {
    /// Reads a daemon settings file (`etc/kiln.yaml`) and checks it like a spec: unknown keys, wrong
    /// types and out-of-range values are all reported at once, each as `file:line:col: key: message`.
    /// Keys left out keep their defaults; an empty file is the defaults.
    /// - Throws: `SpecError` with every problem.
    public static func load(contentsOf url: URL) throws(SpecError) -> DaemonConfig {
        try ConfigFile<DaemonConfig>.load(contentsOf: url).config
    }

    /// Checks settings given as text, reporting problems against the name `file`.
    /// - Throws: `SpecError` with every problem.
    public static func load(yaml: String, file: String = "kiln.yaml") throws(SpecError) -> DaemonConfig {
        try ConfigFile<DaemonConfig>.load(yaml: yaml, file: file).config
    }
}
