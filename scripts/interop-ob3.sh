#!/usr/bin/env bash
# Interop and speed comparison with Digital Bazaar's JavaScript libraries (the OB 3.0 oracle),
# plus the OB 2.0 signed-assertion interop with the 1EdTech validator when its oracle is present.
#
#   scripts/interop-ob3.sh            interop test + speed comparison
#   scripts/interop-ob3.sh --no-bench interop test only
#
# Needs the oracle: run the shared oracle setup script first (it installs into /tmp/obi-oracles)
# or set OBI_OB3_ORACLE to the oracle command line. Skips with a message when Node is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
oracle=${OBI_OB3_ORACLE:-"node ${ORACLES_DIR:-/tmp/obi-oracles}/js/ob3-oracle.mjs"}
script=${oracle##* }
if ! command -v node >/dev/null 2>&1 || [ ! -f "$script" ]; then
  echo "skipped: Node or the oracle ($script) is missing (run the shared oracles setup.sh)"
  exit 0
fi
export OBI_OB3_ORACLE="$oracle"
cargo test -p obi-proof --test interop_ob3
ob2=${OBI_OB2_ORACLE:-"${ORACLES_DIR:-/tmp/obi-oracles}/py/bin/python ${ORACLES_DIR:-/tmp/obi-oracles}/py/ob2-oracle.py"}
if [ -x "${ob2%% *}" ]; then
  OBI_OB2_ORACLE="$ob2" cargo test -p obi-proof --test interop_ob2
fi
[ "${1:-}" = "--no-bench" ] && exit 0
n=${BENCH_N:-200}
echo "== Digital Bazaar (Node $(node --version)), $n sample credentials, one process:"
$oracle bench "$n"
echo "== obi, the same sample credential (criterion, one core):"
cargo bench -p obi-proof --bench proof -- --warm-up-time 1 --measurement-time 5 \
  'eddsa-rdfc-2022 (sign|verify), typical|VC-JWT' 2>&1 | grep -E '^(eddsa|VC-JWT)|time:'
