#!/usr/bin/env bash
# Runs every benchmark family of this module and summarises each with
# benchstat. Raw output goes to results/<name>.txt, the summary to
# results/<name>.benchstat.txt. Takes some minutes.
#
#   ./run.sh                 # all families
#   ./run.sh endtoend        # one family: callercost, endtoend, serverdown, metrics, behavior, logging, tracing, pipeline or alerting
set -euo pipefail
cd "$(dirname "$0")"

BENCHSTAT_VERSION=v0.0.0-20260908200009-22c9c6c9d4da
if ! command -v benchstat >/dev/null; then
  go install "golang.org/x/perf/cmd/benchstat@${BENCHSTAT_VERSION}"
  PATH="$(go env GOPATH)/bin:$PATH"
fi

mkdir -p results

# Which o2kit was measured: the root commit, and whether the root's work
# tree differed from it. Go's benchmark format keeps these as
# configuration lines, which benchstat shows.
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
tree=clean
if [ -n "$(git status --porcelain -- .. ':(exclude)../bench' 2>/dev/null)" ]; then tree=modified; fi

# family name, benchmark pattern, count, extra flags
run() {
  local name=$1 pattern=$2 count=$3
  shift 3
  echo "== ${name}: -bench '${pattern}' -count ${count} $*"
  {
    echo "o2kit-commit: ${commit}"
    echo "o2kit-tree: ${tree}"
    echo "loadavg-at-start: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
    go test -run '^$' -bench "${pattern}" -count "${count}" -timeout 60m "$@" "${pkg:-.}"
  } | tee "results/${name}.txt"
  benchstat "results/${name}.txt" >"results/${name}.benchstat.txt"
  cat "results/${name}.benchstat.txt"
}

families=("${@:-callercost endtoend serverdown metrics behavior logging tracing pipeline alerting}")
for f in ${families[*]}; do
  case $f in
  callercost) run callercost '^BenchmarkCallerCost$' 6 -benchtime 1s ;;
  endtoend) run endtoend '^BenchmarkEndToEnd$' 6 -benchtime 1x ;;
  serverdown) run serverdown '^BenchmarkEmitWhileServerDown$' 6 -benchtime 1x ;;
  metrics) run metrics '^BenchmarkMetrics$' 6 -benchtime 1s ;;
  behavior) run behavior '^BenchmarkBehaviorTrack$' 6 -benchtime 1s ;;
  logging) run logging '^BenchmarkLogging' 6 -benchtime 1s ;;
  tracing) run tracing '^BenchmarkTracingSpan$' 6 -benchtime 1s ;;
  pipeline) pkg=github.com/o2kit/o2kit/pipeline run pipeline '^Benchmark(Mask|DefaultChain|Encode|Emit|Processors)$' 6 -benchtime 1s ;;
  alerting) pkg=github.com/o2kit/o2kit/alerting run alerting '^BenchmarkEval1000Rules10000Series$' 6 -benchtime 10x ;;
  *) echo "unknown family ${f}: callercost, endtoend, serverdown, metrics, behavior, logging, tracing, pipeline or alerting" >&2; exit 2 ;;
  esac
done
