#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs a built tree into a temporary DESTDIR and checks that the installed
# programs start from there. Prints TAP. Usage: tools/check-install.sh BUILD_DIR
# (meson runs it as the "install" test; it needs a display for the last checks).
set -u
build=${1:?usage: check-install.sh BUILD_DIR}
dest=$(mktemp -d "${TMPDIR:-/tmp}/salient-install-XXXXXX")
trap 'rm -rf "$dest"' EXIT INT TERM
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; [ -n "${2:-}" ] && echo "$2" | sed 's/^/# /'; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

echo "1..9"
if out=$(meson install -C "$build" --no-rebuild --destdir "$dest" 2>&1); then
  ok "meson install --destdir"
else
  notok "meson install --destdir" "$out"
fi

# The prefix is wherever the program landed under DESTDIR.
bin=$(find "$dest" -path '*/bin/salient' -type f | head -1)
root=$(dirname "$(dirname "${bin:-$dest/prefix/bin/salient}")")
missing=""
for f in bin/salient bin/salient-cli \
         share/applications/org.salient.Salient.desktop \
         share/metainfo/org.salient.Salient.metainfo.xml \
         share/glib-2.0/schemas/org.salient.Salient.gschema.xml \
         share/icons/hicolor/scalable/apps/org.salient.Salient.svg \
         share/icons/hicolor/symbolic/apps/org.salient.Salient-symbolic.svg \
         share/locale/zh_CN/LC_MESSAGES/salient.mo \
         share/salient/models/breast-mass-risk.onnx share/salient/models/readiness.onnx \
         share/salient/models/recipes/readiness.recipe share/salient/datasets/wdbc.csv; do
  [ -e "$root/$f" ] || missing="$missing $f"
done
if [ -z "$missing" ]; then ok "installed files present"; else notok "installed files present" "missing:$missing"; fi

# What gnome.post_install does outside a DESTDIR.
if out=$(glib-compile-schemas --strict "$root/share/glib-2.0/schemas" 2>&1); then
  ok "installed schema compiles"
else
  notok "installed schema compiles" "$out"
fi

version=$(grep -o '"version": *"[^"]*"' "$build/meson-info/intro-projectinfo.json" | head -1 | cut -d'"' -f4)
out=$("$root/bin/salient" --version 2>&1)
if [ "$out" = "salient $version" ]; then ok "salient --version"; else notok "salient --version" "$out"; fi
out=$("$root/bin/salient-cli" --version 2>&1)
if [ "$out" = "salient-cli $version" ]; then ok "salient-cli --version"; else notok "salient-cli --version" "$out"; fi

# Without its schema the program says what to do instead of crashing.
out=$(env -u GSETTINGS_SCHEMA_DIR XDG_DATA_DIRS=/nonexistent XDG_DATA_HOME=/nonexistent \
      "$root/bin/salient" 2>&1)
status=$?
case "$status:$out" in
  1:*GSETTINGS_SCHEMA_DIR*) ok "missing schema gives a clear error" ;;
  *) notok "missing schema gives a clear error" "status $status: $out" ;;
esac

# The installed catalogue translates (no zh_CN locale needed: LANGUAGE does it).
out=$(LANG=C.UTF-8 LANGUAGE=zh_CN SALIENT_LOCALEDIR="$root/share/locale" "$root/bin/salient" --help 2>&1)
case "$out" in
  *打印版本号并退出*) ok "installed translation is used" ;;
  *) notok "installed translation is used" "$out" ;;
esac

if [ -z "${DISPLAY:-}" ]; then
  skip "installed salient opens its window" "no display"
  skip "installed salient leaves no warnings" "no display"
else
  log="$dest/salient.log"
  GSETTINGS_SCHEMA_DIR="$root/share/glib-2.0/schemas" GSETTINGS_BACKEND=memory SALIENT_TEST=1 \
    G_DEBUG=fatal-criticals "$root/bin/salient" >"$log" 2>&1 &
  pid=$!
  found=""
  i=0
  while [ $i -lt 100 ] && kill -0 "$pid" 2>/dev/null; do
    if command -v xdotool >/dev/null 2>&1; then
      found=$(xdotool search --pid "$pid" --name '^Salient$' 2>/dev/null | head -1)
    fi
    [ -n "$found" ] && break
    sleep 0.1
    i=$((i + 1))
  done
  if [ -n "$found" ]; then
    ok "installed salient opens its window"
  elif kill -0 "$pid" 2>/dev/null && ! command -v xdotool >/dev/null 2>&1; then
    ok "installed salient opens its window (still running after 10 s; no xdotool to look)"
  else
    notok "installed salient opens its window" "$(cat "$log")"
  fi
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  if grep -q -E 'CRITICAL|WARNING|ERROR' "$log"; then
    notok "installed salient leaves no warnings" "$(cat "$log")"
  else
    ok "installed salient leaves no warnings"
  fi
fi
exit $failed
