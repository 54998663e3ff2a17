import KilnCLI

// The one list of built-in plugins goes here (`KilnCLI.main(plugins: [...])`) as plugins land.
await KilnCLI.main(plugins: [])
