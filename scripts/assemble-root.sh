#!/usr/bin/env bash
# Lays out Herald's runtime file set in a directory: scripts/assemble-root.sh BINARY ROOT
#
# The Dockerfile copies ROOT into a scratch image; scripts/check-runtime-root.sh chroots into it. Both
# therefore run exactly this set:
#   /herald                      the binary
#   the shared libraries and loader ldd names, at the same paths (none for a static build)
#   /etc/ssl/certs/ca-certificates.crt   the CA bundle (AsyncHTTPClient/BoringSSL read it)
#   /etc/passwd, /etc/group      the non-root user herald (65532)
#   /etc/nsswitch.conf           hosts: files dns, so /etc/hosts and DNS both resolve
#   /tmp                         empty, sticky (nothing is written there by Herald)
set -euo pipefail
binary="${1:?usage: assemble-root.sh BINARY ROOT}"
root="${2:?usage: assemble-root.sh BINARY ROOT}"
bundle="${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"

if [ ! -f "$bundle" ]; then
  echo "assemble-root.sh: no CA bundle at $bundle (install ca-certificates or set CA_BUNDLE)" >&2
  exit 1
fi
mkdir -p "$root/etc/ssl/certs" "$root/tmp"
chmod 1777 "$root/tmp"
install -m 0755 "$binary" "$root/herald"
install -m 0644 "$bundle" "$root/etc/ssl/certs/ca-certificates.crt"
printf 'root:x:0:0:root:/:/sbin/nologin\nherald:x:65532:65532:herald:/:/sbin/nologin\n' > "$root/etc/passwd"
printf 'root:x:0:\nherald:x:65532:\n' > "$root/etc/group"
printf 'hosts: files dns\n' > "$root/etc/nsswitch.conf"

# A dynamic binary: every library ldd resolves, and the loader, at their own paths.
if readelf -l "$binary" | grep -q 'Requesting program interpreter'; then
  ldd "$binary" | awk '/=> \// { print $3 } /^\t\/.*ld-linux/ { print $1 }' | while read -r library; do
    mkdir -p "$root$(dirname "$library")"
    cp -L "$library" "$root$library"
  done
fi
