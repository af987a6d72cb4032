#!/usr/bin/env bash
# ./charlm package: the generation binary people install without Java. From a clean build of the
# app's fast-jar it writes into dist/
#   charlm-<version>-linux-x64.tar.gz   an app image: bin/charlm (a native launcher), a jlink
#                                       runtime of the modules the app needs (with its class-data
#                                       archive), the app, ONNX Runtime's linux-x64 library
#   charlm_<version>_amd64.deb          the same image under /opt/charlm, charlm on PATH
# Refuses a working tree with uncommitted changes: a package is built from a commit, and says
# which (lib/app/charlm-build.txt).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dist="$root/dist"

usage() {
  cat <<'USAGE'
Usage: ./charlm package [--dist DIR]

Builds the app from a clean tree (mvnw clean package) and writes into DIR (default dist/):
  charlm-<version>-linux-x64.tar.gz   unpack anywhere, run charlm-<version>/bin/charlm
  charlm_<version>_amd64.deb          sudo dpkg -i it: /opt/charlm, /usr/bin/charlm
Both run generate, score and serve with no Java installed. Needs a JDK 17+ (jlink, jdeps,
javap), a C compiler (cc), dpkg-deb, zip and unzip; linux-x64 only.
Exit status: 0 written, 1 refused or failed, 2 bad usage.
USAGE
}

fail() { echo "charlm package: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --dist) [ $# -ge 2 ] || { echo "charlm package: --dist needs a directory" >&2; exit 2; }
            dist="$(mkdir -p "$2" && cd "$2" && pwd)"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "charlm package: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done

# The docs' commands are checked by parsing them (DocsIT): the options parsed, stop here.
[ "${CHARLM_CHECK_ARGS:-0}" = 1 ] && exit 0

[ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] \
  || fail "packages are built for linux-x64 only (this is $(uname -s)-$(uname -m))"
for tool in jlink jdeps javap cc dpkg-deb zip unzip tar gzip; do
  command -v "$tool" >/dev/null 2>&1 || fail "needs '$tool' on PATH (a JDK 17+ for jlink/jdeps/javap; Debian: gcc, dpkg, zip, unzip)"
done

# What may change what is built: tracked files, and untracked files where the build reads sources.
dirty() {
  git -C "$root" status --porcelain --untracked-files=no
  git -C "$root" status --porcelain --untracked-files=all -- pom.xml '*/pom.xml' '*/src/**' \
    | grep '^??' || true
}
if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
  changes="$(dirty)"
  [ -z "$changes" ] || fail "refused: the working tree has changes a package would not record (commit or stash them):
$(echo "$changes" | head -10)"
  commit="$(git -C "$root" rev-parse HEAD)"
else
  echo "charlm package: not a git checkout; the package records no commit" >&2
  commit="unknown (not a git checkout)"
fi

echo "charlm package: building the app from a clean tree ..." >&2
# The native-image sources step is the native build's business, not the package's.
"$root/mvnw" -B -q -Dstyle.color=never -DskipTests -Dmaven.javadoc.skip=true -Dquarkus.native.enabled=false \
  clean package -pl native-app -am -f "$root/pom.xml" >&2
q="$root/native-app/target/quarkus-app"
app_jar="$(ls "$q"/app/charlm-app-*.jar 2>/dev/null | head -1)"
[ -f "$q/quarkus-run.jar" ] && [ -n "$app_jar" ] || fail "the build left no fast-jar in $q"
# Stale: a source written while the build ran. Dirty: the same, seen by git.
newer="$(find "$root/pom.xml" "$root"/*/pom.xml "$root"/*/src -newer "$q/quarkus-run.jar" -type f -print -quit)"
[ -z "$newer" ] || fail "refused: $newer changed after the build started; run it again"
if [ "${commit#unknown}" = "$commit" ]; then
  [ -z "$(dirty)" ] && [ "$(git -C "$root" rev-parse HEAD)" = "$commit" ] \
    || fail "refused: the tree changed while the package was built; run it again"
fi

version="$(basename "$app_jar" .jar)"; version="${version#charlm-app-}"
# Debian orders 0.1.0~SNAPSHOT before 0.1.0, as Maven orders the snapshot before the release.
deb_version="${version//-/\~}"
echo "charlm package: charlm $version ($commit)" >&2

stage="$(mktemp -d "${TMPDIR:-/tmp}/charlm-package.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
input="$stage/input"
mkdir -p "$input"
cp -r "$q/." "$input/"
rm -f "$input/charlm-cds.jsa"   # the checkout launcher's archive, for the checkout's paths

# ONNX Runtime's jar carries every platform's library (54 MB) and unpacks the one it needs into
# a temporary directory at each start. The package ships linux-x64's, unpacked once, and points
# ONNX Runtime at it (onnxruntime.native.path).
ort_jar="$(ls "$input"/lib/boot/com.microsoft.onnxruntime.onnxruntime-*.jar 2>/dev/null | head -1)"
[ -n "$ort_jar" ] || fail "no ONNX Runtime jar in $q/lib/boot"
mkdir -p "$input/native"
unzip -q -j "$ort_jar" 'ai/onnxruntime/native/linux-x64/*' -d "$input/native"
[ -f "$input/native/libonnxruntime.so" ] && [ -f "$input/native/libonnxruntime4j_jni.so" ] \
  || fail "$ort_jar has no linux-x64 library"
zip -q -d "$ort_jar" 'ai/onnxruntime/native/*' >/dev/null

# The runtime: every JDK module the app's jars refer to. jdeps reads the plain jars' classes (it
# cannot take modular jars as inputs on a class path); modular jars declare what they need,
# including what they only load as a service (smallrye's class loader: jdk.zipfs, for jar: paths).
cd "$input"
plain=(); module_infos=()
for jar in quarkus-run.jar app/*.jar quarkus/*.jar lib/boot/*.jar lib/main/*.jar; do
  info="$(unzip -Z1 "$jar" | grep 'module-info\.class$' | head -1 || true)"
  if [ -n "$info" ]; then module_infos+=("jar:file:$input/$jar!/$info"); else plain+=("$jar"); fi
done
modules="$(
  { jdeps --ignore-missing-deps --print-module-deps -q --multi-release 17 \
      --class-path "$(ls lib/boot/*.jar lib/main/*.jar | tr '\n' :)" "${plain[@]}" | tr ',' '\n'
    [ ${#module_infos[@]} -eq 0 ] || javap "${module_infos[@]}" \
      | sed -n 's/^ *requires \(static \|transitive \)*\(java\.[a-z.]*\|jdk\.[a-z.]*\);.*/\2/p'
  } | grep '^\(java\|jdk\)\.' | sort -u | paste -sd, -
)"
cd "$root"
case ",$modules," in *,java.base,*) ;; *) fail "jdeps found no modules (got '$modules')" ;; esac
echo "charlm package: runtime modules $modules" >&2
# The base class-data archive is made for this runtime (--generate-cds-archive); the one for
# heaps over 32 GB is left out (11 MB; such a JVM starts without it).
jlink --add-modules "$modules" --strip-debug --no-man-pages --no-header-files --compress=2 \
  --generate-cds-archive --output "$stage/runtime" >/dev/null
rm -f "$stage/runtime/lib/server/classes_nocoops.jsa"
find "$stage/runtime/bin" -type f ! -name java -delete   # keytool, rmiregistry: no use here

# The image: bin/ holds charlm's own launcher (packaging/launcher.c: jpackage's asks rpm and dpkg
# who owns it at every start, 0.45 s here, and cannot set ONNX Runtime's environment);
# lib/runtime the runtime; lib/app the fast-jar, ONNX Runtime's library and the class-data
# archive, which JDK 17 maps only where the jars it was recorded from are, so the image records
# it in place (charlm-archive-classes; the .deb runs it at install, as Debian byte-compiles
# Python) and starts without it until then.
image="$stage/image/charlm-$version"   # the tarball's top directory
a="$image/lib/app"
mkdir -p "$image/bin" "$image/lib"
cc -O2 -Wall -Wextra -Werror -s -o "$image/bin/charlm" "$root/packaging/launcher.c" \
  || fail "could not compile packaging/launcher.c (needs a C compiler: Debian's gcc and libc6-dev)"
ln -s charlm "$image/bin/charlm-archive-classes"
mv "$stage/runtime" "$image/lib/runtime"
mv "$input" "$a"

# The image must run before anything is written: one character, no Java on PATH.
if ! env -i PATH=/nonexistent HOME="$stage" "$image/bin/charlm" generate --length 1 \
    > "$stage/smoke.log" 2>&1; then
  tail -20 "$stage/smoke.log" >&2
  fail "the packaged app did not run (above); no package written"
fi

cat > "$a/charlm-build.txt" <<BUILD
charlm $version
commit $commit
built $(date -u +%Y-%m-%dT%H:%M:%SZ) with $(java -version 2>&1 | head -1)
runtime modules $modules
BUILD

# Everything is written next to its final name and renamed into place, so dist/ never holds
# half a package.
mkdir -p "$dist"
tarball="charlm-$version-linux-x64.tar.gz"
tar -C "$stage/image" -czf "$dist/.$tarball.tmp" "charlm-$version"
mv "$dist/.$tarball.tmp" "$dist/$tarball"

deb="$stage/deb"
mkdir -p "$deb/DEBIAN" "$deb/opt" "$deb/usr/bin"
cp -a "$image" "$deb/opt/charlm"
ln -s /opt/charlm/bin/charlm "$deb/usr/bin/charlm"
cat > "$deb/DEBIAN/control" <<CONTROL
Package: charlm
Version: $deb_version
Architecture: amd64
Maintainer: charlm <charlm@localhost>
Installed-Size: $(du -sk "$deb/opt" "$deb/usr" | awk '{s += $1} END {print s}')
Depends: libc6, libgcc-s1, libstdc++6, zlib1g
Section: utils
Priority: optional
Description: deep recurrent character language model: generate, score, serve
 charlm streams text from a character-level LSTM, scores the perplexity of files and serves
 the model over HTTP (OpenAI's completions protocol). Java runtime included (/opt/charlm).
CONTROL
cat > "$deb/DEBIAN/postinst" <<'POSTINST'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
  # The class-data archive records the jars' absolute paths, so it is made where they now are.
  rm -f /opt/charlm/lib/app/charlm.jsa
  /opt/charlm/bin/charlm-archive-classes >/dev/null 2>&1 \
    || echo "charlm: could not record the class-data archive; charlm starts without it" >&2
fi
POSTINST
cat > "$deb/DEBIAN/prerm" <<'PRERM'
#!/bin/sh
set -e
# The archive postinst made is not in the package's file list: remove it with the package.
rm -f /opt/charlm/lib/app/charlm.jsa
PRERM
chmod 755 "$deb/DEBIAN/postinst" "$deb/DEBIAN/prerm"
deb_name="charlm_${deb_version}_amd64.deb"
dpkg-deb --root-owner-group -Zxz --build "$deb" "$dist/.$deb_name.tmp" >/dev/null
mv "$dist/.$deb_name.tmp" "$dist/$deb_name"

image_mb="$(du -sm "$image" | cut -f1)"
printf 'charlm package: %s (app image %s MB on disk, %s MB packed)\n' "$dist/$tarball" "$image_mb" \
  "$(( ($(stat -c %s "$dist/$tarball") + 524288) / 1048576 ))" >&2
printf 'charlm package: %s (%s MB)\n' "$dist/$deb_name" "$(( ($(stat -c %s "$dist/$deb_name") + 524288) / 1048576 ))" >&2
