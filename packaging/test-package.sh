#!/usr/bin/env bash
# Tests what ./charlm package wrote, as its users meet it (run by .ci/run after the package):
#   - a dirty tree is refused (in a throwaway clone);
#   - the tarball, unpacked into a temporary directory, runs generate, score and serve with no
#     java on PATH and no JAVA_HOME, with ONNX Runtime's telemetry off; charlm-archive-classes
#     records the class-data archive, which the next start maps;
#   - the .deb installs with dpkg -i (root only), puts charlm on PATH, runs generate and score
#     from there, and dpkg -r leaves the machine as it was.
# Usage: packaging/test-package.sh [DIST_DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dist="$(cd "${1:-$root/dist}" && pwd)"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/charlm-package-test.XXXXXX")"
installed_here=0
cleanup() {
  [ -n "${server:-}" ] && kill "$server" 2>/dev/null || true
  if [ "$installed_here" = 1 ]; then dpkg --purge charlm >/dev/null 2>&1 || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "test-package: FAILED: $*" >&2; exit 1; }
pass() { echo "test-package: ok: $*"; }

tarball="$(ls "$dist"/charlm-*-linux-x64.tar.gz 2>/dev/null | head -1)"
deb="$(ls "$dist"/charlm_*_amd64.deb 2>/dev/null | head -1)"
[ -n "$tarball" ] && [ -n "$deb" ] || fail "no package in $dist (run ./charlm package first)"

# A refused build: a tracked change, then an untracked source, in a clone of the committed tree.
if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
  git clone -q "$root" "$tmp/clone"
  echo "changed" >> "$tmp/clone/README.md"
  if "$tmp/clone/charlm" package > "$tmp/refused.log" 2>&1; then fail "a dirty tree was packaged"; fi
  grep -q "refused: the working tree has changes" "$tmp/refused.log" || fail "$(cat "$tmp/refused.log")"
  git -C "$tmp/clone" checkout -q README.md
  touch "$tmp/clone/sdk/src/main/java/Stray.java"
  if "$tmp/clone/charlm" package > "$tmp/refused.log" 2>&1; then fail "an untracked source was packaged"; fi
  grep -q "Stray.java" "$tmp/refused.log" || fail "$(cat "$tmp/refused.log")"
  pass "a tree with uncommitted changes is refused"
fi

# The commands a user runs, with nothing of Java in reach.
bare() { env -i PATH=/nonexistent HOME="$tmp" "$@"; }
# classes_from_archive CMD...: how many classes the app's archive (the top layer) served.
classes_from_archive() {
  rm -f "$tmp/classes.log"
  env -i PATH=/nonexistent HOME="$tmp" JAVA_TOOL_OPTIONS="-Xlog:class+load=info:file=$tmp/classes.log" "$@" >/dev/null 2>&1
  grep -c 'shared objects file (top)' "$tmp/classes.log" || true
}

mkdir -p "$tmp/unpacked"
tar -C "$tmp/unpacked" -xzf "$tarball"
app="$(echo "$tmp"/unpacked/charlm-*)"
[ -x "$app/bin/charlm" ] || fail "no bin/charlm in $tarball"
mb="$(du -sm "$app" | cut -f1)"
[ "$mb" -le 150 ] || fail "the app image takes $mb MB (target: at most 150)"
pass "app image $mb MB on disk"
grep -q '^commit [0-9a-f]\{40\}$' "$app/lib/app/charlm-build.txt" || fail "the package records no commit"
! ls "$app"/lib/app/lib/boot/*onnxruntime*.jar | xargs -n1 unzip -Z1 | grep -q 'native/' \
  || fail "ONNX Runtime's jar still carries native libraries"
[ "$(ls "$app/lib/app/native")" = "$(printf 'libonnxruntime.so\nlibonnxruntime4j_jni.so')" ] \
  || fail "unexpected native libraries: $(ls "$app/lib/app/native")"

out="$(bare "$app/bin/charlm" generate --prompt "the time machine " --length 200 --temperature 0.8 --seed 7)"
[ "${out:0:17}" = "the time machine " ] && [ ${#out} -ge 200 ] || fail "generate printed: $out"
printf '%s\n' "$out" > "$tmp/sample.txt"
pass "generate from the tarball, no java on PATH"

bare "$app/bin/charlm" score "$tmp/sample.txt" > "$tmp/score.out" || fail "score: $(cat "$tmp/score.out")"
grep -q "^total " "$tmp/score.out" || fail "score printed: $(cat "$tmp/score.out")"
status=0
bare "$app/bin/charlm" score "$tmp/missing.txt" > /dev/null 2> "$tmp/score.err" || status=$?
[ "$status" = 1 ] && grep -q "missing.txt" "$tmp/score.err" || fail "a missing file: status $status, $(cat "$tmp/score.err")"
pass "score from the tarball (and a missing file named, status 1)"

# serve PATH_ENTRY CHARLM: starts CHARLM serve on a free port with only PATH_ENTRY on PATH; sets
# server (its pid: env and the launcher exec the JVM) and url.
serve() {
  env -i PATH="$1" HOME="$tmp" "$2" serve --port 0 2> "$tmp/serve.err" &
  server=$!
  for _ in $(seq 1 100); do
    grep -q 'on http://' "$tmp/serve.err" && break
    kill -0 "$server" 2>/dev/null || fail "serve exited: $(cat "$tmp/serve.err")"
    sleep 0.2
  done
  url="$(grep -o 'http://[0-9.:]*' "$tmp/serve.err" | head -1)"
  [ -n "$url" ] || fail "serve printed no address: $(cat "$tmp/serve.err")"
  # ONNX Runtime 1.29 reports telemetry unless this is in the environment; the launcher sets it.
  tr '\0' '\n' < "/proc/$server/environ" | grep -qx 'ORT_DISABLE_TELEMETRY=1' \
    || fail "$2 runs the JVM without ORT_DISABLE_TELEMETRY=1"
}

# serve: ask it, then SIGTERM stops it cleanly.
serve /nonexistent "$app/bin/charlm"
curl -sf "$url/health" > /dev/null || fail "GET /health"
reply="$(curl -sf "$url/v1/completions" -H 'Content-Type: application/json' \
  -d '{"prompt": "the time traveller", "max_tokens": 12}')" || fail "POST /v1/completions"
case "$reply" in *'"text"'*'"finish_reason"'*) ;; *) fail "completion: $reply" ;; esac
kill -TERM "$server"
status=0; wait "$server" || status=$?
server=
# 143 = 128 + SIGTERM, as every JVM reports a stop by that signal once its shutdown hooks ran.
[ "$status" = 143 ] && grep -q "charlm serve: stopping" "$tmp/serve.err" \
  || fail "serve exited $status after SIGTERM: $(tail -5 "$tmp/serve.err")"
pass "serve from the tarball: /health, /v1/completions, SIGTERM; telemetry off"

before="$(classes_from_archive "$app/bin/charlm" generate --length 1)"
bare "$app/bin/charlm-archive-classes" 2> "$tmp/archive.err" || fail "$(cat "$tmp/archive.err")"
grep -q "charlm-archive-classes: .*charlm.jsa" "$tmp/archive.err" || fail "$(cat "$tmp/archive.err")"
[ -s "$app/lib/app/charlm.jsa" ] || fail "charlm-archive-classes wrote no archive"
after="$(classes_from_archive "$app/bin/charlm" generate --length 1)"
[ "$before" = 0 ] && [ "$after" -gt 500 ] || fail "classes from the app's archive: $before before, $after after"
pass "charlm-archive-classes: $after classes from the archive on the next start"

# The .deb: root only, and never over an installation that was there before.
if [ "$(id -u)" != 0 ]; then
  echo "test-package: skipped the .deb (dpkg -i needs root)"
  exit 0
fi
if dpkg-query -W -f='${Status}' charlm 2>/dev/null | grep -q ' installed$'; then
  fail "charlm is already installed here; not touching it (dpkg -r charlm first)"
fi
mb="$(( $(stat -c %s "$deb") / 1048576 ))"
[ "$mb" -le 80 ] || fail "the .deb is $mb MB (target: at most 80)"
[ ! -e /usr/bin/charlm ] && [ ! -e /opt/charlm ] || fail "/usr/bin/charlm or /opt/charlm exists already"
installed_here=1
dpkg -i "$deb" > "$tmp/dpkg.log" 2>&1 || fail "dpkg -i: $(cat "$tmp/dpkg.log")"
[ "$(env -i PATH=/usr/local/bin:/usr/bin:/bin sh -c 'command -v charlm')" = /usr/bin/charlm ] \
  || fail "charlm is not on PATH after dpkg -i"
onpath() { env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$tmp" JAVA_HOME=/nonexistent "$@"; }
out="$(onpath charlm generate --length 40)"
[ "${out:0:14}" = "time traveller" ] || fail "charlm generate printed: $out"
onpath charlm score "$tmp/sample.txt" | grep -q "^total " || fail "charlm score"
[ -s /opt/charlm/lib/app/charlm.jsa ] || fail "postinst recorded no class-data archive"
n="$(classes_from_archive /usr/bin/charlm generate --length 1)"
[ "$n" -gt 500 ] || fail "the installed charlm took $n classes from its archive"
serve /usr/local/bin:/usr/bin:/bin charlm
curl -sf "$url/health" > /dev/null || fail "GET /health (installed)"
kill -TERM "$server"; wait "$server" || true; server=
pass "the .deb: dpkg -i, charlm generate and score from PATH, archive made at install ($n classes)"

dpkg -r charlm > "$tmp/dpkg.log" 2>&1 || fail "dpkg -r: $(cat "$tmp/dpkg.log")"
installed_here=0
[ ! -e /usr/bin/charlm ] && [ ! -e /opt/charlm ] || fail "dpkg -r left $(ls -d /usr/bin/charlm /opt/charlm 2>/dev/null)"
! dpkg-query -W -f='${Status}' charlm 2>/dev/null | grep -q ' installed$' || fail "dpkg still lists charlm"
pass "dpkg -r charlm: nothing left"
