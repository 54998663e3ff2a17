// Atomic, durable whole-file writes (status, results, reports) come with PluginAPI: every module that reports
// on a run needs them, and DurableFile is the one implementation (checkpoints use it too).
@_exported public import DurableFile
