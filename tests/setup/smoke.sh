#!/bin/sh
# Proves, with real clients (curl, openssl s_client, gsasl), that every server and
# peer started by servers.sh and tls_peer.sh behaves as the tests expect.
# One line per check; exits non-zero when any check fails.
#
#   sh tests/setup/servers.sh start && sh tests/setup/tls_peer.sh start && sh tests/setup/smoke.sh
set -u
SETUP_DIR=$(cd "$(dirname "$0")" && pwd)
. "$SETUP_DIR/common.sh"

H=$SQAUTH_TEST_HOST
N=$SQAUTH_TEST_HOSTNAME
CA=$SQAUTH_TEST_CA
U=$SQAUTH_TEST_USER
PW=$SQAUTH_TEST_PASS
OUT=${TMPDIR:-/tmp}/sqauth-smoke.$$
trap 'rm -f "$OUT"' EXIT INT TERM
passed=0
failed=0

ok() { echo "ok   $*"; passed=$((passed + 1)); }
bad() {
    echo "FAIL $*"
    failed=$((failed + 1))
    [ -s "$OUT" ] && sed 's/^/     | /' "$OUT" | tail -n 8
    return 0
}
# check NAME CMD...: CMD must succeed
check() {
    name=$1
    shift
    if "$@" >"$OUT" 2>&1; then ok "$name"; else bad "$name"; fi
}
# refuse NAME CMD...: CMD must fail
refuse() {
    name=$1
    shift
    if "$@" >"$OUT" 2>&1; then bad "$name (unexpectedly succeeded)"; else ok "$name"; fi
}
# expect_out NAME REGEX CMD...: the output of CMD (exit status ignored) must match REGEX
expect_out() {
    name=$1 re=$2
    shift 2
    "$@" >"$OUT" 2>&1
    if grep -Eq -- "$re" "$OUT"; then ok "$name"; else bad "$name (no /$re/)"; fi
}

curlc() { curl -sS --max-time 10 --cacert "$CA" "$@"; }
# s_client that sends stdin and waits for the server to close
sclient() { timeout 10 openssl s_client -ign_eof -CAfile "$CA" "$@"; }
# handshake only (stdin closed at once)
handshake() { timeout 10 openssl s_client -CAfile "$CA" -verify_return_error "$@" </dev/null; }
# handshake, then wait a moment for an alert that comes after the client's Finished (TLS 1.3)
handshake_read() { sleep 0.5 | timeout 10 openssl s_client -CAfile "$CA" -verify_return_error "$@"; }
b64() { printf '%s' "$1" | base64 -w0; }
plain_ir=$(printf '\000%s\000%s' "$U" "$PW" | base64 -w0)

echo "== main Dovecot (server.pem)"
check "IMAPS $SQAUTH_TEST_IMAPS_PORT AUTH=PLAIN $U" \
    curlc "imaps://$N:$SQAUTH_TEST_IMAPS_PORT/" -u "$U:$PW" --login-options AUTH=PLAIN
check "IMAP $SQAUTH_TEST_IMAP_PORT STARTTLS AUTH=CRAM-MD5 $U" \
    curlc --ssl-reqd "imap://$N:$SQAUTH_TEST_IMAP_PORT/" -u "$U:$PW" --login-options AUTH=CRAM-MD5
check "IMAP $SQAUTH_TEST_IMAP_PORT STARTTLS AUTH=LOGIN $SQAUTH_TEST_UTF8_USER (UTF-8)" \
    curlc --ssl-reqd "imap://$N:$SQAUTH_TEST_IMAP_PORT/" \
    -u "$SQAUTH_TEST_UTF8_USER:$SQAUTH_TEST_UTF8_PASS" --login-options AUTH=LOGIN
check "IMAP $SQAUTH_TEST_IMAP_PORT STARTTLS AUTH=PLAIN $SQAUTH_TEST_REALM2_USER@b.example" \
    curlc --ssl-reqd "imap://$N:$SQAUTH_TEST_IMAP_PORT/" \
    -u "$SQAUTH_TEST_REALM2_USER@b.example:$SQAUTH_TEST_REALM2_PASS" --login-options AUTH=PLAIN
refuse "IMAP $SQAUTH_TEST_IMAP_PORT wrong password refused" \
    curlc --ssl-reqd "imap://$N:$SQAUTH_TEST_IMAP_PORT/" -u "$U:wrong" --login-options AUTH=PLAIN
# raw HOST PORT TEXT: wait for the greeting as a client must (a Dovecot login process greets
# only once its auth process answers; input sent earlier gets "Waiting for authentication
# process"), then send TEXT (printf escapes) in clear text and print every reply line
raw() {
    # shellcheck disable=SC2059
    printf "$3" | perl -MIO::Socket::INET -e '
        my $s = IO::Socket::INET->new(PeerAddr => $ARGV[0], PeerPort => $ARGV[1], Timeout => 5) or die "$!\n";
        alarm 10;
        my $g; do { $g = <$s> // die "no greeting\n"; print $g } while ($g =~ /^\d{3}-/);
        local $/; my $in = <STDIN>; print $s $in; shutdown($s, 1);
        $/ = "\n"; while (<$s>) { print }' "$1" "$2"
}
check "IMAP $SQAUTH_TEST_IMAP_PORT on $H: PLAIN without TLS accepted (loopback counts as secured)" \
    curl -sS --max-time 10 "imap://$H:$SQAUTH_TEST_IMAP_PORT/" -u "$U:$PW" --login-options AUTH=PLAIN
refuse "IMAP $SQAUTH_TEST_IMAP_PORT on $SQAUTH_TEST_REMOTE_HOST: PLAIN without TLS refused" \
    curl -sS --max-time 10 "imap://$SQAUTH_TEST_REMOTE_HOST:$SQAUTH_TEST_IMAP_PORT/" -u "$U:$PW" --login-options AUTH=PLAIN
expect_out "IMAP $SQAUTH_TEST_IMAP_PORT on $SQAUTH_TEST_REMOTE_HOST before STARTTLS: STARTTLS LOGINDISABLED, no AUTH=PLAIN" \
    '^\* CAPABILITY .*STARTTLS LOGINDISABLED AUTH=CRAM-MD5 AUTH=DIGEST-MD5' \
    raw "$SQAUTH_TEST_REMOTE_HOST" "$SQAUTH_TEST_IMAP_PORT" 'a CAPABILITY\r\nb LOGOUT\r\n'
expect_out "POP3 $SQAUTH_TEST_POP3_PORT on $SQAUTH_TEST_REMOTE_HOST before STLS: USER refused" \
    '^-ERR .*[Pp]laintext authentication disallowed' \
    raw "$SQAUTH_TEST_REMOTE_HOST" "$SQAUTH_TEST_POP3_PORT" 'CAPA\r\nUSER testuser\r\nQUIT\r\n'
expect_out "submission $SQAUTH_TEST_SUBMISSION_PORT on $SQAUTH_TEST_REMOTE_HOST before STARTTLS: AUTH refused" \
    '^5[0-9][0-9] .*(TLS|[Pp]laintext|encrypt)' \
    raw "$SQAUTH_TEST_REMOTE_HOST" "$SQAUTH_TEST_SUBMISSION_PORT" 'EHLO smoke\r\nAUTH PLAIN '"$plain_ir"'\r\nQUIT\r\n'
check "IMAP $SQAUTH_TEST_IMAP_PORT on $SQAUTH_TEST_REMOTE_HOST STARTTLS AUTH=PLAIN (IP SAN 127.0.0.2)" \
    curlc --ssl-reqd "imap://$SQAUTH_TEST_REMOTE_HOST:$SQAUTH_TEST_IMAP_PORT/" -u "$U:$PW" --login-options AUTH=PLAIN
expect_out "IMAPS $SQAUTH_TEST_IMAPS_PORT offers all six mechanisms" \
    'AUTH=PLAIN AUTH=LOGIN AUTH=CRAM-MD5 AUTH=DIGEST-MD5 AUTH=SCRAM-SHA-1 AUTH=SCRAM-SHA-256' \
    sh -c "printf 'a CAPABILITY\r\nb LOGOUT\r\n' | timeout 10 openssl s_client -quiet -ign_eof -CAfile '$CA' -connect $H:$SQAUTH_TEST_IMAPS_PORT"
# XOAUTH2 / OAUTHBEARER: the oauth2 passdb asks oauth2_introspect.php
T=$SQAUTH_TEST_OAUTH_TOKEN
expect_out "OAuth2 introspection $H:$SQAUTH_TEST_OAUTH_PORT: the test token is active" '"active":true' \
    curl -sS --max-time 10 -d "token=$T" "http://$H:$SQAUTH_TEST_OAUTH_PORT/introspect"
expect_out "OAuth2 introspection $H:$SQAUTH_TEST_OAUTH_PORT: another token is not" '^\{"active":false\}$' \
    curl -sS --max-time 10 -d "token=wrong-$T" "http://$H:$SQAUTH_TEST_OAUTH_PORT/introspect"
# tokens that expire: the prefix and a Unix time, active until then
expect_out "OAuth2 introspection $H:$SQAUTH_TEST_OAUTH_PORT: an expiring token before its time is active" '"active":true' \
    curl -sS --max-time 10 -d "token=$SQAUTH_TEST_OAUTH_EXPIRING_PREFIX$(( $(date +%s) + 600 ))" \
    "http://$H:$SQAUTH_TEST_OAUTH_PORT/introspect"
expect_out "OAuth2 introspection $H:$SQAUTH_TEST_OAUTH_PORT: an expired token is not" '^\{"active":false\}$' \
    curl -sS --max-time 10 -d "token=${SQAUTH_TEST_OAUTH_EXPIRING_PREFIX}1" "http://$H:$SQAUTH_TEST_OAUTH_PORT/introspect"
check "IMAPS $SQAUTH_TEST_IMAPS_PORT AUTH=OAUTHBEARER $U (token)" \
    curlc "imaps://$N:$SQAUTH_TEST_IMAPS_PORT/" -u "$U:" --oauth2-bearer "$T" --login-options AUTH=OAUTHBEARER
refuse "IMAP $SQAUTH_TEST_IMAP_PORT STARTTLS AUTH=OAUTHBEARER wrong token refused" \
    curlc --ssl-reqd "imap://$N:$SQAUTH_TEST_IMAP_PORT/" -u "$U:" --oauth2-bearer "wrong-$T" --login-options AUTH=OAUTHBEARER
# XOAUTH2 by hand (curl picks OAUTHBEARER whenever the server offers it)
xoauth2() { # TOKEN: AUTHENTICATE XOAUTH2 over IMAPS, an empty answer to an error challenge
    printf 'a AUTHENTICATE XOAUTH2 %s\r\n\r\nb LOGOUT\r\n' \
        "$(printf 'user=%s\001auth=Bearer %s\001\001' "$U" "$1" | base64 -w0)" \
        | timeout 10 openssl s_client -quiet -ign_eof -CAfile "$CA" -verify_return_error \
            -connect "$H:$SQAUTH_TEST_IMAPS_PORT"
}
expect_out "IMAPS $SQAUTH_TEST_IMAPS_PORT AUTH=XOAUTH2 $U (token)" '^a OK .*Logged in' xoauth2 "$T"
expect_out "IMAPS $SQAUTH_TEST_IMAPS_PORT AUTH=XOAUTH2 with the password as token refused" \
    '^a NO \[AUTHENTICATIONFAILED\]' xoauth2 "$PW"
refuse "IMAPS $SQAUTH_TEST_IMAPS_PORT refuses TLS 1.1 (ssl_min_protocol)" \
    handshake -connect "$H:$SQAUTH_TEST_IMAPS_PORT" -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0'
expect_out "IMAPS $SQAUTH_TEST_IMAPS_PORT TLS 1.2 handshake" 'Protocol *: TLSv1.2' \
    handshake -connect "$H:$SQAUTH_TEST_IMAPS_PORT" -tls1_2 -verify_hostname "$N"
if grep -q '^0\{31\}1 .* lo$' /proc/net/if_inet6 2>/dev/null; then
    check "IMAPS [::1]:$SQAUTH_TEST_IMAPS_PORT AUTH=PLAIN (IP SAN ::1)" \
        curlc "imaps://[::1]:$SQAUTH_TEST_IMAPS_PORT/" -u "$U:$PW" --login-options AUTH=PLAIN
fi

if command -v gsasl >/dev/null; then
    for m in DIGEST-MD5 SCRAM-SHA-1 SCRAM-SHA-256; do
        expect_out "IMAP $SQAUTH_TEST_IMAP_PORT STARTTLS gsasl $m $U" '^[^ ]+ OK .*Logged in' \
            sh -c "gsasl --connect=$N:$SQAUTH_TEST_IMAP_PORT --imap -m $m -a '$U' -p '$PW' --x509-ca-file '$CA' --no-cb </dev/null"
    done
    expect_out "IMAP $SQAUTH_TEST_IMAP_PORT STARTTLS gsasl SCRAM-SHA-256 $SQAUTH_TEST_UTF8_USER (UTF-8)" \
        '^[^ ]+ OK .*Logged in' \
        sh -c "gsasl --connect=$N:$SQAUTH_TEST_IMAP_PORT --imap -m SCRAM-SHA-256 -a '$SQAUTH_TEST_UTF8_USER' -p '$SQAUTH_TEST_UTF8_PASS' --x509-ca-file '$CA' --no-cb </dev/null"
    expect_out "IMAP $SQAUTH_TEST_IMAP_PORT STARTTLS gsasl DIGEST-MD5 $SQAUTH_TEST_REALM2_USER realm b.example" \
        '^[^ ]+ OK .*Logged in' \
        sh -c "gsasl --connect=$N:$SQAUTH_TEST_IMAP_PORT --imap -m DIGEST-MD5 -a '$SQAUTH_TEST_REALM2_USER' --realm=b.example -p '$SQAUTH_TEST_REALM2_PASS' --x509-ca-file '$CA' --no-cb </dev/null"
else
    echo "skip gsasl is not installed (DIGEST-MD5 / SCRAM checks)"
fi

check "POP3S $SQAUTH_TEST_POP3S_PORT $U" curlc "pop3s://$N:$SQAUTH_TEST_POP3S_PORT/" -u "$U:$PW"
check "POP3 $SQAUTH_TEST_POP3_PORT STLS AUTH=CRAM-MD5 $U" \
    curlc --ssl-reqd "pop3://$N:$SQAUTH_TEST_POP3_PORT/" -u "$U:$PW" --login-options AUTH=CRAM-MD5

expect_out "submission $SQAUTH_TEST_SUBMISSION_PORT STARTTLS (s_client -starttls smtp): AUTH PLAIN -> 235" \
    '^235 ' sh -c "printf 'EHLO smoke\r\nAUTH PLAIN $plain_ir\r\nQUIT\r\n' | timeout 10 openssl s_client -quiet -ign_eof -CAfile '$CA' -verify_return_error -starttls smtp -connect $H:$SQAUTH_TEST_SUBMISSION_PORT"
expect_out "submission $SQAUTH_TEST_SUBMISSION_PORT EHLO after STARTTLS offers SCRAM-SHA-256" \
    '^250-AUTH .*SCRAM-SHA-256' sh -c "printf 'EHLO smoke\r\nQUIT\r\n' | timeout 10 openssl s_client -quiet -ign_eof -CAfile '$CA' -starttls smtp -connect $H:$SQAUTH_TEST_SUBMISSION_PORT"
expect_out "submissions $SQAUTH_TEST_SUBMISSIONS_PORT AUTH LOGIN -> 235" '^235 ' \
    sh -c "printf 'EHLO smoke\r\nAUTH LOGIN\r\n$(b64 "$U")\r\n$(b64 "$PW")\r\nQUIT\r\n' | timeout 10 openssl s_client -quiet -ign_eof -CAfile '$CA' -verify_return_error -connect $H:$SQAUTH_TEST_SUBMISSIONS_PORT"
# send through submission -> relay -> LMTP, read back over IMAP
subj="sqauth-smoke-$$-$(date +%s)"
printf 'From: <%s@a.example>\r\nTo: <%s@a.example>\r\nSubject: %s\r\n\r\nsmoke test\r\n' "$U" "$U" "$subj" >"$OUT.msg"
check "submission $SQAUTH_TEST_SUBMISSION_PORT STARTTLS send via relay $SQAUTH_TEST_RELAY_PORT to LMTP $SQAUTH_TEST_LMTP_PORT" \
    curlc --ssl-reqd "smtp://$N:$SQAUTH_TEST_SUBMISSION_PORT" -u "$U:$PW" --login-options AUTH=CRAM-MD5 \
    --mail-from "$U@a.example" --mail-rcpt "$U@a.example" -T "$OUT.msg"
rm -f "$OUT.msg"
expect_out "relay spooled the message" "Subject: $subj" sh -c "cat '$SQAUTH_TEST_RELAY_SPOOL'/*.eml"
expect_out "IMAPS finds the delivered message" '^\* SEARCH [0-9]' \
    curlc "imaps://$N:$SQAUTH_TEST_IMAPS_PORT/INBOX" -u "$U:$PW" -X "SEARCH SUBJECT $subj"

# ManageSieve (Pigeonhole): openssl s_client does the RFC 5804 STARTTLS itself
expect_out "ManageSieve $SQAUTH_TEST_SIEVE_PORT STARTTLS AUTHENTICATE PLAIN $U" '^OK "Logged in' \
    sh -c "printf 'AUTHENTICATE \"PLAIN\" \"$plain_ir\"\r\nLOGOUT\r\n' | timeout 10 openssl s_client -quiet -ign_eof -CAfile '$CA' -verify_return_error -starttls sieve -connect $N:$SQAUTH_TEST_SIEVE_PORT"
expect_out "ManageSieve $SQAUTH_TEST_SIEVE_PORT on $SQAUTH_TEST_REMOTE_HOST: no PLAIN before STARTTLS" \
    '^"SASL" "CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1 SCRAM-SHA-256"' raw "$SQAUTH_TEST_REMOTE_HOST" "$SQAUTH_TEST_SIEVE_PORT" 'LOGOUT\r\n'

echo "== Dovecot instances with bad certificates (openssl s_client -verify_return_error)"
expect_out "IMAPS $SQAUTH_TEST_IMAPS_EXPIRED_PORT expired -> verify error 10" 'verify error:num=10:' \
    handshake -connect "$H:$SQAUTH_TEST_IMAPS_EXPIRED_PORT"
expect_out "IMAPS $SQAUTH_TEST_IMAPS_WRONGHOST_PORT wrong host name -> verify error 62" 'verify error:num=62:' \
    handshake -connect "$H:$SQAUTH_TEST_IMAPS_WRONGHOST_PORT" -verify_hostname "$N"
expect_out "IMAPS $SQAUTH_TEST_IMAPS_WRONGHOST_PORT chain itself is trusted" 'Verify return code: 0 ' \
    handshake -connect "$H:$SQAUTH_TEST_IMAPS_WRONGHOST_PORT"
expect_out "IMAPS $SQAUTH_TEST_IMAPS_SELFSIGNED_PORT self-signed -> verify error 18" 'verify error:num=18:' \
    handshake -connect "$H:$SQAUTH_TEST_IMAPS_SELFSIGNED_PORT"
expect_out "IMAPS $SQAUTH_TEST_IMAPS_UNKNOWNCA_PORT unknown CA -> verify error 20" 'verify error:num=20:' \
    handshake -connect "$H:$SQAUTH_TEST_IMAPS_UNKNOWNCA_PORT"
for p in "$SQAUTH_TEST_IMAPS_EXPIRED_PORT" "$SQAUTH_TEST_IMAPS_WRONGHOST_PORT" \
         "$SQAUTH_TEST_IMAPS_SELFSIGNED_PORT" "$SQAUTH_TEST_IMAPS_UNKNOWNCA_PORT"; do
    expect_out "IMAPS $p curl refuses the certificate (exit 60)" '^curl: \(60\)' \
        curlc "imaps://$N:$p/" -u "$U:$PW"
done
check "IMAPS $SQAUTH_TEST_IMAPS_UNKNOWNCA_PORT trusted with otherca.pem (server is healthy)" \
    curl -sS --max-time 10 --cacert "$SQAUTH_TEST_OTHER_CA" "imaps://$N:$SQAUTH_TEST_IMAPS_UNKNOWNCA_PORT/" -u "$U:$PW"

echo "== Dovecot asking for a client certificate (clientca.pem)"
refuse "IMAPS $SQAUTH_TEST_IMAPS_CLIENTCERT_PORT login without a client certificate refused" \
    curlc "imaps://$N:$SQAUTH_TEST_IMAPS_CLIENTCERT_PORT/" -u "$U:$PW"
check "IMAPS $SQAUTH_TEST_IMAPS_CLIENTCERT_PORT login with client.pem + client.key" \
    curlc --cert "$SQAUTH_TEST_CLIENT_CERT" --key "$SQAUTH_TEST_CLIENT_KEY" \
    "imaps://$N:$SQAUTH_TEST_IMAPS_CLIENTCERT_PORT/" -u "$U:$PW"
check "IMAP $SQAUTH_TEST_IMAP_CLIENTCERT_PORT STARTTLS login with client-combined.pem" \
    curlc --ssl-reqd --cert "$SQAUTH_TEST_CLIENT_COMBINED" \
    "imap://$N:$SQAUTH_TEST_IMAP_CLIENTCERT_PORT/" -u "$U:$PW" --login-options AUTH=CRAM-MD5
expect_out "IMAPS $SQAUTH_TEST_IMAPS_CLIENTCERT_PORT AUTHENTICATE EXTERNAL (user from the certificate CN)" \
    '^a OK .*Logged in' sh -c "printf 'a AUTHENTICATE EXTERNAL =\r\nb LOGOUT\r\n' | timeout 10 openssl s_client -quiet -ign_eof -CAfile '$CA' -cert '$SQAUTH_TEST_CLIENT_CERT' -key '$SQAUTH_TEST_CLIENT_KEY' -connect $H:$SQAUTH_TEST_IMAPS_CLIENTCERT_PORT"
expect_out "IMAPS $SQAUTH_TEST_IMAPS_CLIENTCERT_PORT AUTHENTICATE EXTERNAL without a certificate fails" \
    '^a NO ' sh -c "printf 'a AUTHENTICATE EXTERNAL =\r\nb LOGOUT\r\n' | timeout 10 openssl s_client -quiet -ign_eof -CAfile '$CA' -connect $H:$SQAUTH_TEST_IMAPS_CLIENTCERT_PORT"

echo "== resume Dovecot (high-performance login: TLS sessions resumable)"
SESS=${TMPDIR:-/tmp}/sqauth-smoke-sess.$$
# resumed: a second connection offering the first one's ticket (read the tickets: sleep)
resumed() { # PORT [s_client args...]: "Reused" on the second connection
    port=$1
    shift
    rm -f "$SESS"
    sleep 0.5 | timeout 10 openssl s_client -CAfile "$CA" -verify_return_error -connect "$H:$port" -sess_out "$SESS" "$@" >/dev/null 2>&1
    sleep 0.5 | timeout 10 openssl s_client -CAfile "$CA" -verify_return_error -connect "$H:$port" -sess_in "$SESS" "$@" 2>&1
    rm -f "$SESS"
}
expect_out "IMAPS $SQAUTH_TEST_IMAPS_RESUME_PORT resumes a TLS 1.3 session" '^Reused, TLSv1.3' \
    resumed "$SQAUTH_TEST_IMAPS_RESUME_PORT"
expect_out "IMAPS $SQAUTH_TEST_IMAPS_RESUME_PORT resumes a TLS 1.2 session" '^Reused, TLSv1.2' \
    resumed "$SQAUTH_TEST_IMAPS_RESUME_PORT" -tls1_2
expect_out "IMAPS $SQAUTH_TEST_IMAPS_PORT (main: a login process per connection) does not" '^New, TLSv1.3' \
    resumed "$SQAUTH_TEST_IMAPS_PORT"
check "IMAPS $SQAUTH_TEST_IMAPS_RESUME_PORT AUTH=PLAIN $U" \
    curlc "imaps://$N:$SQAUTH_TEST_IMAPS_RESUME_PORT/" -u "$U:$PW" --login-options AUTH=PLAIN

echo "== openssl s_server peers (tls_peer.sh)"
expect_out "TLS $SQAUTH_TEST_TLS11_PORT handshakes with -tls1_1 @SECLEVEL=0" 'Protocol *: TLSv1.1' \
    handshake -connect "$H:$SQAUTH_TEST_TLS11_PORT" -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0'
expect_out "TLS $SQAUTH_TEST_TLS11_PORT client allowing TLS 1.2-1.3 -> alert 70 protocol_version" \
    'SSL alert number 70' handshake -connect "$H:$SQAUTH_TEST_TLS11_PORT" -min_protocol TLSv1.2
expect_out "TLS $SQAUTH_TEST_TLS11_PORT client with TLS 1.2 only -> local 'unsupported protocol'" \
    'unsupported protocol' handshake -connect "$H:$SQAUTH_TEST_TLS11_PORT" -tls1_2
expect_out "TLS $SQAUTH_TEST_TLS11_PORT refused by a default client (legacy sigalg)" 'legacy sigalg disallowed' \
    handshake -connect "$H:$SQAUTH_TEST_TLS11_PORT"
expect_out "TLS $SQAUTH_TEST_TLS_CLIENTCERT_PORT without a client certificate -> alert 116 (TLS 1.3, on read)" \
    'SSL alert number 116' handshake_read -connect "$H:$SQAUTH_TEST_TLS_CLIENTCERT_PORT"
expect_out "TLS $SQAUTH_TEST_TLS_CLIENTCERT_PORT without a client certificate -> alert 40 (TLS 1.2)" \
    'SSL alert number 40' handshake_read -connect "$H:$SQAUTH_TEST_TLS_CLIENTCERT_PORT" -tls1_2
expect_out "TLS $SQAUTH_TEST_TLS_CLIENTCERT_PORT with client.pem: echo works" '^olleh$' \
    sh -c "(printf 'hello\n'; sleep 0.5) | timeout 10 openssl s_client -quiet -no_ign_eof -CAfile '$CA' -verify_return_error -cert '$SQAUTH_TEST_CLIENT_CERT' -key '$SQAUTH_TEST_CLIENT_KEY' -connect $H:$SQAUTH_TEST_TLS_CLIENTCERT_PORT"
expect_out "TLS $SQAUTH_TEST_TLS_ALERT_PORT mid-handshake alert 40 (no client certificate)" \
    'SSL alert number 40' handshake_read -connect "$H:$SQAUTH_TEST_TLS_ALERT_PORT"
expect_out "TLS $SQAUTH_TEST_TLS_ALERT_PORT mid-handshake alert 48 unknown_ca (client.pem)" \
    'SSL alert number 48' handshake_read -connect "$H:$SQAUTH_TEST_TLS_ALERT_PORT" \
    -cert "$SQAUTH_TEST_CLIENT_CERT" -key "$SQAUTH_TEST_CLIENT_KEY"

echo "smoke: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
