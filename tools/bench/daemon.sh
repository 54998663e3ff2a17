#!/usr/bin/env bash
# Benchmarks `kiln serve` (release build): pick-up latency from a spec's rename into the drop directory to
# its child's start (median, p99 over 100 drops), idle CPU and wake-ups over 10 s, memory, and the
# throughput of 200 tiny specs. The child is a fake that only records its start; see
# Sources/KilnCLI/Daemon/BenchDaemonCommand.swift. Extra arguments go to `kiln bench-daemon`
# (--drops, --burst, --idle-seconds, --concurrency, --json FILE).
#
# Targets: median pick-up <= 50 ms, no CPU while idle, idle RSS <= 30 MB.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product kiln
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
.build/release/kiln bench-daemon "$@"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
