import Experiment
import KilnCLI
import LionOptimizer

// Kiln's built-in plugins plus this package's own.
await KilnCLI.main(plugins: BuiltinPlugins.all + [LionPlugin.self])
