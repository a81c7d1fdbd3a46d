#!/bin/sh
# Generates the test PKI for the real-server tests into OUTDIR (idempotent:
# a file is made only when it is missing). RSA 2048, SHA-256.
#
#   ca.pem/.key            test CA the client trusts
#   server.pem/.key        good leaf: DNS:localhost, IP:127.0.0.1, IP:::1, IP:127.0.0.2
#                          (127.0.0.2: see SQAUTH_TEST_REMOTE_HOST in common.sh)
#   wronghost.pem/.key     leaf by the CA, SAN DNS:wrong.example only
#   expired.pem/.key       leaf by the CA, valid 2020-01-01 .. 2020-02-01
#   selfsigned.pem/.key    self-signed leaf
#   otherca.pem/.key       a second CA nobody trusts
#   unknownca.pem/.key     leaf signed by otherca
#   clientca.pem/.key      CA for client certificates
#   client.pem, client.key client certificate (CN=testuser) by clientca
#   client-combined.pem    client.pem + client.key
#
# Every certificate is then checked with `openssl verify` and the script fails
# loudly if a result is not the expected one.
set -eu

if [ $# -ne 1 ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
OUT=$1
mkdir -p "$OUT"
cd "$OUT"
umask 022

DAYS=3650
GOOD_SAN="DNS:localhost,IP:127.0.0.1,IP:::1,IP:127.0.0.2"

die() { echo "certs.sh: $*" >&2; exit 1; }
quiet() { "$@" >/dev/null 2>openssl.err || { cat openssl.err >&2; die "failed: $*"; }; }

# extensions of a leaf certificate
leaf_ext() { # SAN [serverAuth|clientAuth]
    cat <<EOF
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = ${2:-serverAuth}
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid,issuer
EOF
    [ -n "$1" ] && echo "subjectAltName = $1"
    return 0
}

# make_ca NAME CN
make_ca() {
    [ -s "$1.pem" ] && [ -s "$1.key" ] && return 0
    cat >ext-req-ca.cnf <<'EOF2'
[ req ]
distinguished_name = dn
x509_extensions = v3_ca
prompt = no
[ dn ]
[ v3_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF2
    quiet openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days "$DAYS" -config ext-req-ca.cnf \
        -keyout "$1.key" -out "$1.pem" -subj "/O=sqauth tests/CN=$2"
    chmod 600 "$1.key"
}

# make_leaf NAME CA CN SAN [serverAuth|clientAuth]
make_leaf() {
    [ -s "$1.pem" ] && [ -s "$1.key" ] && return 0
    leaf_ext "$4" "${5:-serverAuth}" >"ext-$1.cnf"
    quiet openssl req -new -newkey rsa:2048 -nodes -sha256 -keyout "$1.key" -out "$1.csr" \
        -subj "/O=sqauth tests/CN=$3"
    quiet openssl x509 -req -sha256 -days "$DAYS" -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" \
        -set_serial "0x$(openssl rand -hex 8)" -extfile "ext-$1.cnf" -out "$1.pem"
    chmod 600 "$1.key"
    rm -f "$1.csr"
}

# self-signed leaf (not a CA)
make_selfsigned() {
    [ -s "$1.pem" ] && [ -s "$1.key" ] && return 0
    leaf_ext "$3" serverAuth | grep -v authorityKeyIdentifier >"ext-$1.cnf"
    quiet openssl req -new -newkey rsa:2048 -nodes -sha256 -keyout "$1.key" -out "$1.csr" \
        -subj "/O=sqauth tests/CN=$2"
    quiet openssl x509 -req -sha256 -days "$DAYS" -in "$1.csr" -key "$1.key" \
        -set_serial "0x$(openssl rand -hex 8)" -extfile "ext-$1.cnf" -out "$1.pem"
    chmod 600 "$1.key"
    rm -f "$1.csr"
}

# expired leaf via `openssl ca` (explicit start and end dates in the past)
make_expired() {
    [ -s "$1.pem" ] && [ -s "$1.key" ] && return 0
    rm -rf ca-db
    mkdir -p ca-db/new
    : >ca-db/index.txt
    openssl rand -hex 8 >ca-db/serial
    cat >ca-db/ca.cnf <<EOF
[ ca ]
default_ca = test_ca
[ test_ca ]
database = ca-db/index.txt
serial = ca-db/serial
new_certs_dir = ca-db/new
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
x509_extensions = leaf_ext
[ policy_any ]
organizationName = optional
commonName = supplied
[ leaf_ext ]
$(leaf_ext "$3" serverAuth)
EOF
    quiet openssl req -new -newkey rsa:2048 -nodes -sha256 -keyout "$1.key" -out "$1.csr" \
        -subj "/O=sqauth tests/CN=$2"
    quiet openssl ca -batch -notext -config ca-db/ca.cnf -cert ca.pem -keyfile ca.key \
        -in "$1.csr" -out "$1.pem" -startdate 20200101000000Z -enddate 20200201000000Z
    chmod 600 "$1.key"
    rm -rf "$1.csr" ca-db
}

make_ca ca "sqauth test CA"
make_ca otherca "sqauth untrusted CA"
make_ca clientca "sqauth client CA"
make_leaf server ca localhost "$GOOD_SAN"
make_leaf wronghost ca wrong.example "DNS:wrong.example"
make_expired expired localhost "DNS:localhost,IP:127.0.0.1"
make_selfsigned selfsigned localhost "DNS:localhost,IP:127.0.0.1"
make_leaf unknownca otherca localhost "DNS:localhost,IP:127.0.0.1"
make_leaf client clientca testuser "" clientAuth
[ -s client-combined.pem ] || cat client.pem client.key >client-combined.pem
chmod 600 client-combined.pem
rm -f ext-*.cnf openssl.err

# --- checks --------------------------------------------------------------
# expect CAFILE CERT WANT   (WANT: "OK" or an X509 error number)
fail=0
expect() {
    res=$(openssl verify -CAfile "$1" "$2" 2>&1) && got=OK || {
        got=$(printf '%s\n' "$res" | sed -n 's/.*error \([0-9][0-9]*\) at.*/\1/p' | head -n 1)
    }
    if [ "$got" = "$3" ]; then
        echo "certs: ok   $2 against $1: ${3}"
    else
        echo "certs: FAIL $2 against $1: expected $3, got '${got:-?}'" >&2
        printf '%s\n' "$res" >&2
        fail=1
    fi
}
expect ca.pem server.pem OK
expect ca.pem wronghost.pem OK          # chain is fine; only the name is wrong
expect ca.pem expired.pem 10            # X509_V_ERR_CERT_HAS_EXPIRED
expect ca.pem selfsigned.pem 18         # X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT
expect ca.pem unknownca.pem 20          # X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY
expect otherca.pem unknownca.pem OK
expect clientca.pem client.pem OK
expect ca.pem client.pem 20

# name checks: server.pem matches localhost/127.0.0.1/::1, wronghost.pem does not
name_check() { # CERT FLAG VALUE WANT(ok|fail)
    if openssl verify -CAfile ca.pem "$2" "$3" "$1" >/dev/null 2>&1; then got=ok; else got=fail; fi
    if [ "$got" = "$4" ]; then
        echo "certs: ok   $1 $2 $3: $4"
    else
        echo "certs: FAIL $1 $2 $3: expected $4, got $got" >&2
        fail=1
    fi
}
name_check server.pem -verify_hostname localhost ok
name_check server.pem -verify_ip 127.0.0.1 ok
name_check server.pem -verify_ip ::1 ok
name_check server.pem -verify_ip 127.0.0.2 ok
name_check wronghost.pem -verify_hostname localhost fail
name_check wronghost.pem -verify_ip 127.0.0.1 fail

# the key really belongs to the certificate
for n in ca otherca clientca server wronghost expired selfsigned unknownca client; do
    a=$(openssl x509 -in "$n.pem" -noout -pubkey)
    b=$(openssl pkey -in "$n.key" -pubout)
    if [ "$a" != "$b" ]; then
        echo "certs: FAIL $n.key does not match $n.pem" >&2
        fail=1
    fi
done

[ "$fail" -eq 0 ] || die "certificate checks failed in $OUT"
echo "certs: all certificates in $OUT are as expected"
