#!/usr/bin/env bash
# Regenerates the Shadowserver report-format facts built into Belfry
# (src/Belfry.Feeds/Shadowserver/shadowserver-facts.tsv) from the intelmq.json that Shadowserver
# publishes. Usage: scripts/update-shadowserver-facts.sh PATH/TO/intelmq.json
# Commit the result together with the tests' expectations if report types changed.
set -euo pipefail
cd "$(dirname "$0")/.."
schema="${1:?usage: $0 PATH/TO/intelmq.json}"
dotnet run --project src/Belfry.Cli -c Release -- feeds compile-schema "$schema" --out src/Belfry.Feeds/Shadowserver/shadowserver-facts.tsv
