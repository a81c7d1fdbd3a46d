#!/bin/sh
# Proves every cyrus.sh instance with an independent libsasl2 client (sasl_echo_client, built by
# cyrus.sh start): the exact challenge, logins in both realms, 1 MiB echoed byte-exact through
# every qop and cipher (application writes bigger than the server's maxbuf), the refusals, and
# that a real client detects each misbehaving server. One line per check, then "N passed, N failed";
# exit status non-zero when anything failed. Run after `sh tests/setup/cyrus.sh start`.
set -u
SETUP_DIR=$(cd "$(dirname "$0")/.." && pwd)
. "$SETUP_DIR/common.sh"

C=$SQAUTH_TEST_DIR/cyrus
CLIENT=$C/sasl_echo_client
[ -x "$CLIENT" ] || { echo "check.sh: $CLIENT missing; run cyrus.sh start first" >&2; exit 1; }
H=$SQAUTH_TEST_HOST
U=$SQAUTH_TEST_USER
P=$SQAUTH_TEST_PASS
R=$SQAUTH_TEST_DEFAULT_REALM
U2=$SQAUTH_TEST_REALM2_USER
P2=$SQAUTH_TEST_REALM2_PASS
passed=0
failed=0

ok() { passed=$((passed + 1)); echo "ok   $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }

# run NAME ARGS...: one client run; its own result line decides
run() {
    _name=$1
    shift
    if _out=$("$CLIENT" --host "$H" "$@" 2>&1); then
        ok "$_name: $(printf '%s\n' "$_out" | grep -E '^(ok|FAIL) ' | tail -n 1 | cut -c6-)"
    else
        fail "$_name: $(printf '%s\n' "$_out" | tail -n 3 | tr '\n' ' ')"
    fi
}

# challenge NAME PORT EXPECTED: the first challenge with the nonce value replaced by N
challenge() {
    _got=$("$CLIENT" --host "$H" --port "$2" --user "$U" --pass "$P" --bytes 16 --show-challenge 2>&1 \
        | sed -n 's/^ *challenge: //p' | sed 's/nonce="[^"]*"/nonce="N"/')
    if [ "$_got" = "$3" ]; then ok "$1: challenge $_got"; else fail "$1: challenge '$_got', expected '$3'"; fi
}

TWO='realm="a.example",realm="b.example"'
TAIL='charset=utf-8,algorithm=md5-sess'
ALLC='cipher="rc4-40,rc4-56,rc4,des,3des"'

# --- what each instance offers
challenge "auth      $SQAUTH_TEST_CYRUS_AUTH_PORT" "$SQAUTH_TEST_CYRUS_AUTH_PORT" \
    "nonce=\"N\",$TWO,qop=\"auth\",maxbuf=65536,$TAIL"
challenge "authint   $SQAUTH_TEST_CYRUS_AUTHINT_PORT" "$SQAUTH_TEST_CYRUS_AUTHINT_PORT" \
    "nonce=\"N\",$TWO,qop=\"auth-int\",maxbuf=65536,$TAIL"
challenge "authconf  $SQAUTH_TEST_CYRUS_AUTHCONF_PORT" "$SQAUTH_TEST_CYRUS_AUTHCONF_PORT" \
    "nonce=\"N\",$TWO,qop=\"auth-conf\",$ALLC,maxbuf=65536,$TAIL"
challenge "smallbuf  $SQAUTH_TEST_CYRUS_SMALLBUF_PORT" "$SQAUTH_TEST_CYRUS_SMALLBUF_PORT" \
    "nonce=\"N\",$TWO,qop=\"auth-conf\",$ALLC,maxbuf=4096,$TAIL"
challenge "weak      $SQAUTH_TEST_CYRUS_WEAK_PORT" "$SQAUTH_TEST_CYRUS_WEAK_PORT" \
    "nonce=\"N\",$TWO,qop=\"auth-conf\",cipher=\"rc4-40,rc4-56,des\",maxbuf=65536,$TAIL"
challenge "3des      $SQAUTH_TEST_CYRUS_3DES_PORT" "$SQAUTH_TEST_CYRUS_3DES_PORT" \
    "nonce=\"N\",$TWO,qop=\"auth-conf\",cipher=\"3des\",maxbuf=65536,$TAIL"
challenge "all       $SQAUTH_TEST_CYRUS_ALL_PORT" "$SQAUTH_TEST_CYRUS_ALL_PORT" \
    "nonce=\"N\",$TWO,qop=\"auth,auth-int,auth-conf\",$ALLC,maxbuf=65536,$TAIL"
port=
for e in TAMPER REPLAY TRUNCATE CLEARTEXT OVERSIZE; do
    eval "port=\$SQAUTH_TEST_CYRUS_${e}_PORT"
    challenge "$(printf '%-9s' "$e" | tr '[:upper:]' '[:lower:]') $port" "$port" \
        "nonce=\"N\",$TWO,qop=\"auth-int,auth-conf\",$ALLC,maxbuf=65536,$TAIL"
done

# --- the nonce differs between connections (each child seeds its own random pool)
n1=$("$CLIENT" --host "$H" --port "$SQAUTH_TEST_CYRUS_ALL_PORT" --bytes 16 --show-challenge 2>&1 | sed -n 's/.*nonce="\([^"]*\)".*/\1/p')
n2=$("$CLIENT" --host "$H" --port "$SQAUTH_TEST_CYRUS_ALL_PORT" --bytes 16 --show-challenge 2>&1 | sed -n 's/.*nonce="\([^"]*\)".*/\1/p')
if [ -n "$n1" ] && [ "$n1" != "$n2" ]; then ok "fresh nonce per connection ($n1 / $n2)"; else fail "nonce repeated or missing: '$n1' '$n2'"; fi

# --- qop auth: plaintext echo after the login, both realms
run "auth      $U@$R" --port "$SQAUTH_TEST_CYRUS_AUTH_PORT" --user "$U" --pass "$P" --realm "$R" --qop auth
run "auth      $U2@b.example" --port "$SQAUTH_TEST_CYRUS_AUTH_PORT" --user "$U2" --pass "$P2" --realm b.example --qop auth
run "auth      client demanding a layer" --port "$SQAUTH_TEST_CYRUS_AUTH_PORT" --qop auth-int --expect no-agreement

# --- auth-int
run "authint   $U" --port "$SQAUTH_TEST_CYRUS_AUTHINT_PORT" --user "$U" --pass "$P" --realm "$R" --qop auth-int
run "authint   $U2@b.example" --port "$SQAUTH_TEST_CYRUS_AUTHINT_PORT" --user "$U2" --pass "$P2" --realm b.example --qop auth-int
run "authint   client maxbuf 1024 (server splits)" --port "$SQAUTH_TEST_CYRUS_AUTHINT_PORT" --qop auth-int --maxbuf 1024

# --- auth-conf, every cipher
for c in rc4-40 rc4-56 rc4 des 3des; do
    run "authconf  $c" --port "$SQAUTH_TEST_CYRUS_AUTHCONF_PORT" --user "$U" --pass "$P" --realm "$R" --cipher "$c"
done
run "authconf  $U2@b.example 3des" --port "$SQAUTH_TEST_CYRUS_AUTHCONF_PORT" --user "$U2" --pass "$P2" --realm b.example --cipher 3des
run "authconf  client without layers" --port "$SQAUTH_TEST_CYRUS_AUTHCONF_PORT" --qop auth --expect no-agreement

# --- small server maxbuf: the client must cut its writes (64 KiB) into < 4096-byte packets
for c in rc4 3des des; do
    run "smallbuf  $c, writes of 65536" --port "$SQAUTH_TEST_CYRUS_SMALLBUF_PORT" --cipher "$c" --chunk 65536
done
run "smallbuf  auth-conf, writes of 100000" --port "$SQAUTH_TEST_CYRUS_SMALLBUF_PORT" --qop auth-conf --chunk 100000

# --- weak: at most SSF 56
for c in rc4-40 rc4-56 des; do
    run "weak      $c" --port "$SQAUTH_TEST_CYRUS_WEAK_PORT" --cipher "$c"
done
run "weak      client demanding rc4 (128)" --port "$SQAUTH_TEST_CYRUS_WEAK_PORT" --cipher rc4 --expect no-agreement

# --- 3des only
run "3des      3des" --port "$SQAUTH_TEST_CYRUS_3DES_PORT" --cipher 3des
run "3des      client demanding rc4" --port "$SQAUTH_TEST_CYRUS_3DES_PORT" --cipher rc4 --expect no-agreement

# --- all: the client chooses; refusals
run "all       auth" --port "$SQAUTH_TEST_CYRUS_ALL_PORT" --qop auth
run "all       auth-int" --port "$SQAUTH_TEST_CYRUS_ALL_PORT" --qop auth-int
run "all       strongest (rc4, SSF 128)" --port "$SQAUTH_TEST_CYRUS_ALL_PORT" --qop auth-conf
run "all       wrong password" --port "$SQAUTH_TEST_CYRUS_ALL_PORT" --pass wrong --expect auth-fail
run "all       $U in realm b.example" --port "$SQAUTH_TEST_CYRUS_ALL_PORT" --realm b.example --expect auth-fail
run "all       unknown user" --port "$SQAUTH_TEST_CYRUS_ALL_PORT" --user nobody --expect auth-fail
run "all       cancel with *" --port "$SQAUTH_TEST_CYRUS_ALL_PORT" --expect cancel

# --- several connections at once (one child per connection)
pids=""
i=0
while [ $i -lt 6 ]; do
    "$CLIENT" --host "$H" --port "$SQAUTH_TEST_CYRUS_ALL_PORT" --qop auth-conf --bytes 262144 >"$C/parallel.$i" 2>&1 &
    pids="$pids $!"
    i=$((i + 1))
done
bad=0
for p in $pids; do wait "$p" || bad=$((bad + 1)); done
if [ $bad -eq 0 ]; then ok "6 parallel auth-conf clients on $SQAUTH_TEST_CYRUS_ALL_PORT"; else fail "$bad of 6 parallel clients failed: $(cat "$C"/parallel.* | grep FAIL | head -n 2)"; fi
rm -f "$C"/parallel.*

# --- the misbehaving servers: a real client must notice
for q in "--qop auth-int" "--cipher rc4" "--cipher 3des"; do
    # shellcheck disable=SC2086
    run "tamper    ${q#--* }" --port "$SQAUTH_TEST_CYRUS_TAMPER_PORT" $q --expect layer-error
done
for q in "--qop auth-int" "--cipher rc4"; do
    # shellcheck disable=SC2086
    run "replay    ${q#--* }" --port "$SQAUTH_TEST_CYRUS_REPLAY_PORT" $q --expect layer-error
    # shellcheck disable=SC2086
    run "truncate  ${q#--* }" --port "$SQAUTH_TEST_CYRUS_TRUNCATE_PORT" $q --expect layer-error
    # shellcheck disable=SC2086
    run "cleartext ${q#--* }" --port "$SQAUTH_TEST_CYRUS_CLEARTEXT_PORT" $q --expect layer-error
    # shellcheck disable=SC2086
    run "oversize  ${q#--* }" --port "$SQAUTH_TEST_CYRUS_OVERSIZE_PORT" $q --expect layer-error
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
