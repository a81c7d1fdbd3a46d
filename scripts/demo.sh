#!/bin/sh
# The main job: installs what is needed, builds the extension, starts a
# throwaway Dovecot on loopback with a fresh CA, and runs sqauth-probe
# against IMAP (STARTTLS and implicit TLS), POP3, submission and ManageSieve: what each
# offers, and a login with every mechanism, as a table. Stops the servers.
set -eu
cd "$(dirname "$0")/.."
sh scripts/setup.sh
sh scripts/build.sh
export SQAUTH_TEST_DIR="${SQAUTH_TEST_DIR:-/tmp/sqauth-demo}"
sh tests/setup/servers.sh start >/dev/null
trap 'sh tests/setup/servers.sh stop >/dev/null 2>&1' EXIT
eval "$(sh tests/setup/servers.sh env)"

ext="-n -d extension=$(pwd)/modules/sqauth.so"
echo "== every SASL mechanism against its RFC example (no network)"
php $ext examples/rfc-exchanges.php | tail -n 1
echo
echo "== sqauth-probe against the local Dovecot (CA: $SQAUTH_TEST_CA)"
# The demo account's password; a real run asks for it (or reads SQAUTH_PASSWORD).
SQAUTH_PASSWORD="$SQAUTH_TEST_PASS" php $ext bin/sqauth-probe \
    "imap://localhost:$SQAUTH_TEST_IMAP_PORT" "imaps://localhost:$SQAUTH_TEST_IMAPS_PORT" \
    "pop3://localhost:$SQAUTH_TEST_POP3_PORT" "submission://localhost:$SQAUTH_TEST_SUBMISSION_PORT" \
    "sieve://localhost:$SQAUTH_TEST_SIEVE_PORT" \
    --cafile="$SQAUTH_TEST_CA" --user="$SQAUTH_TEST_USER" --mechanism=all
