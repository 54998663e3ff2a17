public import PluginAPI
import Synchronization

/// The plugins this `kiln` executable was built with: registered once at start by
/// `KilnCLI.main(plugins:)`, read by the commands that check specs (`kiln serve` validates every
/// dropped spec against them).
///
/// A third-party build adds its own plugins by calling `KilnCLI.main(plugins: builtins + [...])`; there
/// is no loading at run time (see STYLE.md §1).
public enum PluginCatalog {
    private static let descriptors = Mutex<[PluginDescriptor]>([])

    /// Adds plugins to the catalog (normally once, before the command line is parsed).
    public static func register(_ plugins: [PluginDescriptor]) {
        descriptors.withLock { $0 += plugins }
    }

    /// Every registered plugin, in registration order.
    public static var registered: [PluginDescriptor] { descriptors.withLock { $0 } }

    /// A registry of the registered plugins.
    /// - Throws: `PluginError` for an invalid descriptor or a duplicate id (a build mistake).
    public static func registry() throws(PluginError) -> PluginRegistry {
        try PluginRegistry(registered)
    }
}
