#!/usr/bin/env bash
# Creates a private CA and one node certificate for TLS between clients and nodes and mutual TLS between nodes.
# For development and tests: keys are unencrypted files; use your own PKI in production.
#
# Usage: deploy/dev-certs.sh OUT_DIR HOST [HOST ...]
#   HOST: every host name or IP address clients and peers use to reach the nodes (as in --peers and -t);
#         localhost and 127.0.0.1 are always added. All nodes may share the one certificate.
# Writes to OUT_DIR:
#   ca.pem    CA certificate: the nodes' --tls-ca, and what clients trust (--tls-ca of the client commands)
#   ca.key    CA private key (kept so that a second run issues from the same CA; keep it offline otherwise)
#   node.pem  node certificate (--tls-cert), SANs = the HOSTs + localhost + 127.0.0.1, for server and client auth
#   node.key  its private key, PEM PKCS#8 (--tls-key)
# An existing ca.pem/ca.key in OUT_DIR is reused, so re-running for new hosts keeps every node's trust.
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 OUT_DIR HOST [HOST ...]" >&2
  exit 2
fi
command -v openssl >/dev/null || { echo "$0: openssl is not installed" >&2; exit 1; }

out="$1"
shift
mkdir -p "$out"
umask 077 # the keys must not be readable by others

if [[ ! -f "$out/ca.pem" || ! -f "$out/ca.key" ]]; then
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$out/ca.key"
  openssl req -x509 -new -key "$out/ca.key" -subj "/CN=raftcache dev CA" -days 3650 -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$out/ca.pem"
fi

sans="DNS:localhost,IP:127.0.0.1"
for host in "$@"; do
  [[ "$host" == localhost || "$host" == 127.0.0.1 ]] && continue
  if [[ "$host" =~ ^[0-9.]+$ || "$host" == *:* ]]; then
    sans="$sans,IP:$host"
  else
    sans="$sans,DNS:$host"
  fi
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat >"$work/ext.cnf" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=$sans
EXT
# genpkey writes PKCS#8 ("BEGIN PRIVATE KEY"), the form the node reads.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$out/node.key"
openssl req -new -key "$out/node.key" -subj "/CN=raftcache node" -out "$work/node.csr"
openssl x509 -req -in "$work/node.csr" -CA "$out/ca.pem" -CAkey "$out/ca.key" \
  -set_serial "0x$(openssl rand -hex 16)" -days 825 -sha256 -extfile "$work/ext.cnf" -out "$out/node.pem" 2>/dev/null
chmod 644 "$out/ca.pem" "$out/node.pem"

echo "wrote $out/ca.pem, $out/node.pem and $out/node.key (SANs $sans)"
