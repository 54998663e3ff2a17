import DaemonCore
import Experiment
import Foundation

extension SpecLoaderValidator {
    /// The daemon's spec check with this `kiln`'s plugins: the loader's problems and the plugins checked against
    /// each other, the same list `kiln validate` prints.
    convenience init(catalog: PluginCatalog, dropDirectory: URL, dataRoots: [String]) {
        self.init(
            registry: catalog.registry, dropDirectory: dropDirectory, dataRoots: dataRoots,
            findProblems: { Preflight.allProblems($0, catalog: catalog) })
    }
}
