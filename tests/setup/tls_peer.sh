#!/bin/sh
# `openssl s_server` peers for TLS behaviour Dovecot will not show on purpose.
# Each runs in the background on loopback (one connection at a time, forever, in
# -rev mode: it echoes every line reversed), pid files and logs under
# $SQAUTH_TEST_DIR/tls_peer/. Certificates come from certs.sh (made if missing).
#
#   tls11       port $SQAUTH_TEST_TLS11_PORT (32001): TLS 1.0/1.1 only, ciphers at
#               @SECLEVEL=0, certificate server.pem (good name, trusted CA).
#               - a client offering TLS 1.2 and 1.3 with a minimum of 1.2 (supported_versions
#                 extension: `s_client -min_protocol TLSv1.2`, MinProtocol TLSv1.2) gets alert
#                 70 protocol_version from the server, right after its ClientHello;
#               - a client offering only TLS 1.2 (`s_client -tls1_2`, no supported_versions)
#                 receives a TLS 1.1 ServerHello and fails locally with "unsupported
#                 protocol" (it sends alert 70 itself);
#               - a default OpenSSL 3 client (security level 1/2, TLS 1.0 not disabled)
#                 gets as far as ServerKeyExchange and fails locally with
#                 "legacy sigalg disallowed or unsupported" (SHA-1/MD5-SHA1 signature),
#                 then sends alert 80 internal_error;
#               - `s_client -tls1_1 -cipher DEFAULT:@SECLEVEL=0` handshakes (TLSv1.1).
#   clientcert  port $SQAUTH_TEST_TLS_CLIENTCERT_PORT (32002): TLS 1.2/1.3, demands a client
#               certificate issued by clientca.pem (-Verify 1 -verify_return_error).
#               With client.pem it handshakes. Without one the server sends alert 116
#               certificate_required (TLS 1.3) / 40 handshake_failure (TLS 1.2). In TLS 1.3
#               the client's handshake has already completed when the alert arrives: the
#               client sees it on its first read, not in connect.
#   alert       port $SQAUTH_TEST_TLS_ALERT_PORT (32003): TLS 1.2 only, demands a client
#               certificate from otherca.pem, which no test client has, so the alert always
#               comes in the middle of the handshake (after ServerHello, Certificate,
#               CertificateRequest and the client's flight, before the server's Finished):
#               no client certificate -> alert 40 handshake_failure;
#               client.pem (clientca)  -> alert 48 unknown_ca.
#
#   tls_peer.sh start|stop|status
set -eu
SETUP_DIR=$(cd "$(dirname "$0")" && pwd)
. "$SETUP_DIR/common.sh"

P=$SQAUTH_TEST_DIR/tls_peer
C=$SQAUTH_TEST_CERTS
PEERS="tls11 clientcert alert"

die() { echo "tls_peer.sh: $*" >&2; exit 1; }

peer_port() {
    case $1 in
        tls11) echo "$SQAUTH_TEST_TLS11_PORT" ;;
        clientcert) echo "$SQAUTH_TEST_TLS_CLIENTCERT_PORT" ;;
        alert) echo "$SQAUTH_TEST_TLS_ALERT_PORT" ;;
    esac
}

peer_args() {
    case $1 in
        tls11) echo "-cert $C/server.pem -key $C/server.key -min_protocol TLSv1 -max_protocol TLSv1.1 -cipher DEFAULT:@SECLEVEL=0" ;;
        clientcert) echo "-cert $C/server.pem -key $C/server.key -min_protocol TLSv1.2 -Verify 1 -verify_return_error -CAfile $C/clientca.pem" ;;
        alert) echo "-cert $C/server.pem -key $C/server.key -min_protocol TLSv1.2 -max_protocol TLSv1.2 -Verify 1 -verify_return_error -CAfile $C/otherca.pem" ;;
    esac
}

do_start() {
    command -v openssl >/dev/null || die "openssl is not installed"
    mkdir -p "$P"
    sh "$SETUP_DIR/certs.sh" "$C" >"$P/certs.log" 2>&1 \
        || { cat "$P/certs.log" >&2; die "certificate generation failed"; }
    write_env
    for n in $PEERS; do
        pid_alive "$P/$n.pid" && continue
        port=$(peer_port "$n")
        ! port_open "$SQAUTH_TEST_HOST" "$port" || die "port $port already in use ($n)"
        # shellcheck disable=SC2046
        openssl s_server -accept "$SQAUTH_TEST_HOST:$port" $(peer_args "$n") -rev -quiet \
            </dev/null >"$P/$n.log" 2>&1 &
        echo $! >"$P/$n.pid"
    done
    deadline=$(( $(date +%s) + SQAUTH_TEST_START_TIMEOUT ))
    for n in $PEERS; do
        wait_port "$(peer_port "$n")" "$deadline" "$P/$n.pid" \
            || { cat "$P/$n.log" >&2; die "peer $n is not listening on $(peer_port "$n")"; }
    done
    echo "tls_peer.sh: started ($(for n in $PEERS; do printf '%s:%s ' "$n" "$(peer_port "$n")"; done))"
}

do_stop() {
    for n in $PEERS; do stop_pidfile "$P/$n.pid"; done
    echo "tls_peer.sh: stopped"
}

do_status() {
    rc=0
    for n in $PEERS; do
        port=$(peer_port "$n")
        pid=$(pidfile_pid "$P/$n.pid")
        if port_open "$SQAUTH_TEST_HOST" "$port"; then st=listening; else st=closed; rc=1; fi
        printf '%-11s pid %-7s %s:%-5s %s\n' "$n" "${pid:--}" "$SQAUTH_TEST_HOST" "$port" "$st"
    done
    return $rc
}

case ${1:-} in
    start) do_start ;;
    stop) do_stop ;;
    status) do_status ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
