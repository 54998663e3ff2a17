import Experiment
import KilnCLI
import OptimSPAM
import Robustness

// The one list of built-in plugins; a third-party `kiln` appends its own (examples/custom-plugin).
await KilnCLI.main(plugins: BuiltinPlugins.all + OptimSPAMPlugins.all + RobustnessPlugins.all)
