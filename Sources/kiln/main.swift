import KilnCLI

KilnCLI.start()
