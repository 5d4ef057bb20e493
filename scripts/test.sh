#!/usr/bin/env bash
# The whole test suite, as the README's quick start and CI run it, on a fresh Debian machine
# with the .NET SDK. Installs what the integration tests need (real servers, no mocks) and lets
# the test fixtures start those servers on loopback themselves.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
# Real SMTP server for notification delivery tests; tshark to cross-check flow decoding;
# gobgpd (and its gobgp CLI) as the real BGP daemons of the mitigation tests.
for pkg in python3-aiosmtpd tshark gobgpd; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test.sh: missing Debian packages: ${need[*]} (run as root, or install them first)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  echo "test.sh: installing ${need[*]}"
  apt-get update -qq >/dev/null
  # tshark asks whether non-root users may capture; answer no without a prompt.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet build Belfry.slnx -c Release -nologo -v q -m:2
# Runs anywhere: the README's first command in a clean clone with no shared/ near it, then a
# Shadowserver ingest from another empty folder (about 1.5 minutes; fails the script if either fails).
./scripts/clean-clone-check.sh
log=$(mktemp)
set +e
dotnet test --solution Belfry.slnx -c Release --no-build 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
# One plain closing line for CI: the sums over every test project.
passed=$(grep -E '^\s+succeeded: [0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -E '^\s+failed: [0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -E '^\s+skipped: [0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
echo "$passed passed, $failed failed, $skipped skipped"
exit "$rc"
