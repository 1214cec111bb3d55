#!/usr/bin/env bash
# Runs Herald from nothing but its image's file set: scripts/check-runtime-root.sh BINARY
#
# scripts/assemble-root.sh lays out the files the Dockerfile's final stage copies; Herald then runs
# chrooted in them as user 65532, in its own mount namespace with /proc mounted (as a container
# runtime provides). It proves --version, a dry run, and real HTTP deliveries to a name from the
# root's /etc/hosts and to a name served by dnsmasq on a loopback address named in the root's
# /etc/resolv.conf; a name neither knows must fail. Needs root, dnsmasq-base and python3.
set -euo pipefail
binary="$(realpath "${1:?usage: check-runtime-root.sh BINARY}")"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(mktemp -d)"
chmod 0755 "$root"
dns="127.$((RANDOM % 254 + 1)).$((RANDOM % 255)).$((RANDOM % 253 + 2))"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$root"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$here/assemble-root.sh" "$binary" "$root"
mkdir -p "$root/proc" "$root/work"

# A receiver on loopback that records each POST's path and body.
python3 - "$root/received" > /dev/null 2>&1 <<'PY' &
import http.server, sys
log = open(sys.argv[1], "a", buffering=1)
class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        log.write(f"{self.path} {body.decode()}\n")
        self.send_response(200); self.end_headers()
server = http.server.HTTPServer(("127.0.0.1", 0), Receiver)
open(sys.argv[1] + ".port", "w").write(str(server.server_port))
server.serve_forever()
PY
pids+=($!)
/usr/sbin/dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts --bind-interfaces \
  --listen-address="$dns" --port=53 --user=root --pid-file= --log-queries --log-facility="$root/dns.log" \
  --address=/receiver.dns.test/127.0.0.1 --address=/#/ &
pids+=($!)
for _ in $(seq 100); do
  [ -s "$root/received.port" ] && grep -q "started, version" "$root/dns.log" 2>/dev/null && break
  sleep 0.05
done
port="$(cat "$root/received.port")" || fail "the receiver did not start"
grep -q "started, version" "$root/dns.log" || fail "dnsmasq did not start on $dns:53"

printf '127.0.0.1 localhost\n127.0.0.1 receiver.hosts.test\n' > "$root/etc/hosts"
printf 'nameserver %s\noptions timeout:1 attempts:1\n' "$dns" > "$root/etc/resolv.conf"
provider() {
  cat <<YAML
apiVersion: notification.toolkit.fluxcd.io/v1beta3
kind: Provider
metadata: {name: $1, namespace: apps}
spec: {type: generic, address: "$2"}
---
apiVersion: notification.toolkit.fluxcd.io/v1beta3
kind: Alert
metadata: {name: $1, namespace: apps}
spec: {providerRef: {name: $1}, eventSources: [{kind: Kustomization, name: "*"}]}
---
YAML
}
{ provider by-hosts "http://receiver.hosts.test:$port/hosts"; provider by-dns "http://receiver.dns.test:$port/dns"; } > "$root/work/manifests.yaml"
provider unknown "http://missing.dns.test:$port/unknown" > "$root/work/unknown.yaml"
echo '{"involvedObject":{"kind":"Kustomization","namespace":"apps","name":"webapp","apiVersion":"kustomize.toolkit.fluxcd.io/v1"},"severity":"info","timestamp":"2026-11-25T10:00:00Z","message":"applied revision main@sha1:0a1b","reason":"ReconciliationSucceeded","reportingController":"kustomize-controller"}' > "$root/work/events.jsonl"
chmod -R a+rX "$root/work"

inside() { unshare --mount --mount-proc="$root/proc" chroot --userspec=65532:65532 "$root" /herald "$@"; }

version="$(inside --version)" || fail "herald --version failed inside the root"
echo "ok   --version: $version"
planned="$(inside replay --manifests /work/manifests.yaml --events /work/events.jsonl --dry-run)" || fail "dry run failed"
[ "$(printf '%s\n' "$planned" | grep -c '"provider"')" = 2 ] || fail "dry run planned: $planned"
[ ! -s "$root/received" ] || fail "a dry run sent something"
echo "ok   dry run: 2 notifications planned, none sent"
inside replay --manifests /work/manifests.yaml --events /work/events.jsonl || fail "delivery failed"
grep -q '^/hosts .*applied revision main@sha1:0a1b' "$root/received" || fail "nothing reached /hosts"
grep -q '^/dns .*applied revision main@sha1:0a1b' "$root/received" || fail "nothing reached /dns"
grep -q 'query\[A\] receiver.dns.test' "$root/dns.log" || fail "receiver.dns.test was not asked of the DNS server"
echo "ok   delivered to a name from /etc/hosts and a name from DNS"
if inside replay --manifests /work/unknown.yaml --events /work/events.jsonl 2> "$root/unknown.err"; then
  fail "a name nobody knows was delivered to"
fi
grep -q missing.dns.test "$root/unknown.err" || fail "the unknown-name failure does not say which name: $(cat "$root/unknown.err")"
[ "$(wc -l < "$root/received")" = 2 ] || fail "an extra request arrived"
echo "ok   an unknown name fails"
