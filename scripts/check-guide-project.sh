#!/usr/bin/env bash
# Builds and runs a new Maven project made of exactly what docs/guide.md tells a newcomer to write:
# the complete pom.xml of "Getting started" (the block after <!-- guide-project: pom.xml -->) and the
# first server (the guide's shared imports, block guide-1, then the ChatServer class, block guide-2),
# against Parley's published artifacts as `mvn deploy` makes them (into a folder, not ~/.m2).
# It starts the server, asks it for an Engine.IO handshake on port 3000 (the guide's), and stops it.
# Run by scripts/test.sh; needs nothing beyond the test command's own needs. Exit 0 when it works.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PORT=3000
WORK=$(mktemp -d "${TMPDIR:-/tmp}/parley-guide.XXXXXX")
SERVER=
cleanup() {
  if [ -n "$SERVER" ]; then kill -- -"$SERVER" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# A private local repository seeded from ~/.m2 by hard links (instant; nothing is written back), without
# any dev.parley artifact, so that Parley can only come from the published artifacts below.
mkdir -p "$WORK/m2"
if [ -d "$HOME/.m2/repository" ]; then
  cp -al "$HOME/.m2/repository/." "$WORK/m2/" 2>/dev/null || cp -a "$HOME/.m2/repository/." "$WORK/m2/"
fi
rm -rf "$WORK/m2/dev/parley"

echo "guide project: publishing Parley's artifacts into $WORK/published ..." >&2
(cd "$ROOT" && mvn -B -ntp -q deploy -DskipTests -Dmaven.install.skip=true \
    -Dmaven.repo.local="$WORK/m2" -DaltDeploymentRepository="guide::default::file://$WORK/published" \
    -pl bom,adapter-spi,core,transport-polling,transport-jetty,adapter-redis -am) >&2

# The project, from the guide's text.
GUIDE="$ROOT/docs/guide.md"
mkdir -p "$WORK/app/src/main/java"
block() { # the fenced block that follows the marker line $1 in the guide
  awk -v marker="$1" '
    found == 0 && index($0, marker) { found = 1; next }
    found == 1 && /^```/ { found = 2; next }
    found == 2 && /^```/ { exit }
    found == 2 { print }' "$GUIDE"
}
block '<!-- guide-project: pom.xml -->' > "$WORK/app/pom.xml"
{ block '<!-- snippet: GuideSnippets.java#guide-1 -->'; echo; block '<!-- snippet: ChatServer.java#guide-2 -->'; } \
    > "$WORK/app/src/main/java/ChatServer.java"
[ -s "$WORK/app/pom.xml" ] || { echo "guide project: no pom.xml block in docs/guide.md" >&2; exit 1; }
grep -q 'class ChatServer' "$WORK/app/src/main/java/ChatServer.java" \
  || { echo "guide project: no ChatServer block in docs/guide.md" >&2; exit 1; }

# Published artifacts come from the folder; everything else from Maven Central as usual.
cat > "$WORK/settings.xml" <<EOF
<settings>
  <profiles><profile><id>guide</id>
    <repositories><repository><id>guide</id><url>file://$WORK/published</url>
      <snapshots><enabled>true</enabled></snapshots></repository></repositories>
  </profile></profiles>
  <activeProfiles><activeProfile>guide</activeProfile></activeProfiles>
</settings>
EOF
echo "guide project: building it ..." >&2
(cd "$WORK/app" && mvn -B -ntp -q -s "$WORK/settings.xml" -Dmaven.repo.local="$WORK/m2" compile) >&2

if (echo > "/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  echo "guide project: port $PORT is busy, and the guide's server listens on it" >&2
  exit 1
fi
echo "guide project: running it ..." >&2
(cd "$WORK/app" && exec setsid mvn -B -ntp -q -s "$WORK/settings.xml" -Dmaven.repo.local="$WORK/m2" exec:java) \
    > "$WORK/server.log" 2>&1 &
SERVER=$!
answer=
for _ in $(seq 1 120); do
  answer=$(curl -s --max-time 2 "http://127.0.0.1:$PORT/socket.io/?EIO=4&transport=polling" || true)
  case "$answer" in 0\{*) break ;; esac
  kill -0 "$SERVER" 2>/dev/null || break
  sleep 0.5
done
case "$answer" in
  0\{*\"sid\"*) echo "guide project: OK (handshake: ${answer:0:60}...)" ;;
  *) echo "guide project: the server did not answer a handshake; its output:" >&2; cat "$WORK/server.log" >&2; exit 1 ;;
esac
