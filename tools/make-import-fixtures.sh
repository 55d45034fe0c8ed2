#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Regenerates the importer fixtures (tests/fixtures/import) and the malformed
# corpus (tests/fixtures/malformed). Needs, by hand (CI needs none of them):
#   apt-get install gpsbabel nodejs npm        (and /usr/bin/python3)
# npm packages go to a cache outside the repo ($SALIENT_NPM_CACHE, default
# /tmp/salient-fit-npm): @garmin/fitsdk (Garmin's FIT encoder, used only to
# make fixtures) and fit-file-parser (MIT), against which Salient's own FIT
# decoder is cross-checked when a build directory is given:
#   tools/make-import-fixtures.sh [BUILD_DIR]
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
out="$here/tests/fixtures/import"
bad="$here/tests/fixtures/malformed"
cache="${SALIENT_NPM_CACHE:-/tmp/salient-fit-npm}"
build="${1:-}"
py=/usr/bin/python3

command -v gpsbabel >/dev/null || { echo "gpsbabel is missing: apt-get install gpsbabel" >&2; exit 1; }
command -v node >/dev/null || { echo "node is missing: apt-get install nodejs npm" >&2; exit 1; }

mkdir -p "$out" "$bad"
"$py" "$here/tools/make-png-fixtures.py" "$out/png" "$bad"
"$py" "$here/tools/make-import-fixtures.py" "$out" "$bad"

# Real-tool conversions of the reference tracks (GPSBABEL_FREEZE_TIME: no "now"
# timestamps, so regenerating gives the same files).
export GPSBABEL_FREEZE_TIME=y
gpsbabel -i gpx -f "$out/source.gpx" -o gpx,garminextensions -F "$out/gpsbabel.gpx"
gpsbabel -i gpx -f "$out/source.gpx" -o gtrnctr,course=0,sport=Running -F "$out/gpsbabel.tcx"
# gpsbabel writes FIT *course* files: Salient must refuse them clearly.
gpsbabel -i gpx -f "$out/source.gpx" -o garmin_fit -F "$out/gpsbabel-course.fit"

# FIT activities from Garmin's encoder.
if [ ! -d "$cache/node_modules/@garmin/fitsdk" ] || [ ! -d "$cache/node_modules/fit-file-parser" ]; then
  mkdir -p "$cache"
  (cd "$cache" && npm init -y >/dev/null && npm install @garmin/fitsdk fit-file-parser >/dev/null)
fi
node "$here/tools/make-fit-fixtures.mjs" "$cache/node_modules" "$out"
# gpsbabel reading Garmin's FIT back to GPX: a second, independent decoder.
gpsbabel -i garmin_fit -f "$out/fitsdk-run.fit" -o gpx,garminextensions -F "$out/gpsbabel-from-fit.gpx"

# Chained FIT files: two files back to back; and a chain whose second file is damaged.
cat "$out/fitsdk-run.fit" "$out/fitsdk-multisport.fit" > "$out/fit-chained.fit"
cat "$out/fitsdk-run.fit" "$bad/fit-bad-file-crc.fit" > "$bad/fit-chained-second-bad.fit"

if [ -n "$build" ]; then
  node "$here/tools/fit-crosscheck.mjs" "$cache/node_modules" "$build/tests/import-dump" \
    "$out"/*.fit
fi
echo "fixtures written to $out and $bad"
