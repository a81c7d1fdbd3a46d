#!/bin/sh
# Builds the extension into modules/sqauth.so (phpize, configure, make) and
# fails when the compiler warns about our own code (-Wall -Wextra).
set -eu
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if [ ! -f Makefile ] || [ config.m4 -nt configure ]; then
    phpize >/dev/null
    ./configure --enable-sqauth >/dev/null
fi
make -j"$(nproc)" >"$log" 2>&1 || { cat "$log"; exit 1; }
if grep -E "(warning|error):" "$log" >/dev/null; then
    echo "build: the compiler warned about our code:" >&2
    grep -E -A3 "(warning|error):" "$log" >&2
    exit 1
fi
echo "build: modules/sqauth.so ($(php-config --version), $(openssl version | cut -d' ' -f1-2))"
