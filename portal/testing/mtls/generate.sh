#!/bin/sh
# Regenerates the test-only TLS material of this folder (see README.md).
set -e
cd "$(dirname "$0")"
days=36500
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
ca() { key "$1-key.pem"; openssl req -x509 -new -key "$1-key.pem" -subj "/CN=$2" -days $days -out "$1.pem" -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"; }
leaf() { # name CN signer extensions
  key "$1-key.pem"
  openssl req -new -key "$1-key.pem" -subj "/CN=$2" -out "$1.csr"
  printf '%s\n' "$4" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3-key.pem" -CAcreateserial -days $days -out "$1.pem" -extfile "$1.ext" 2>/dev/null
  rm -f "$1.csr" "$1.ext" "$3.srl"
}
ca ca "hostgate test proxy CA"
ca other-ca "some other CA"
leaf server portal ca "subjectAltName=IP:127.0.0.1,DNS:localhost
extendedKeyUsage=serverAuth"
leaf proxy oauth2-proxy ca "extendedKeyUsage=clientAuth"
leaf stranger stranger ca "extendedKeyUsage=clientAuth"
leaf forged oauth2-proxy other-ca "extendedKeyUsage=clientAuth"
rm -f other-ca-key.pem ca-key.pem
