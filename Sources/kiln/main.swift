import Experiment
import KilnCLI

// The one list of built-in plugins; a third-party `kiln` appends its own (examples/custom-plugin).
KilnCLI.main(plugins: BuiltinPlugins.all)
