#!/bin/sh
# Cyrus SASL (libsasl2) DIGEST-MD5 servers with real security layers (auth-int, auth-conf) for
# sqauth's layer tests. The server is tests/setup/cyrus/sasl_echo_server.c, built here against
# libsasl2; it speaks an IMAP-like framing (greeting, CAPABILITY, AUTHENTICATE DIGEST-MD5, LOGOUT)
# and after the login echoes everything back through the negotiated layer. See
# tests/setup/cyrus/README.md for the exact challenges.
#
#   cyrus.sh start    build, make the sasldb + config, start every instance, wait for the ports
#   cyrus.sh stop     stop them (safe to call twice)
#   cyrus.sh status   one line per instance
#   cyrus.sh env      print `export` lines (all of common.sh's, including the Cyrus ports)
#
# State under $SQAUTH_TEST_DIR/cyrus/: the binaries, sasldb, sqauth-echo.conf, NAME.pid, NAME.log
# (every connection: commands, challenge, response, layer events), NAME.out (stderr).
# Needs the Debian packages libsasl2-dev libsasl2-modules sasl2-bin libssl-dev (and a C compiler).
# No root needed.
set -eu
SETUP_DIR=$(cd "$(dirname "$0")" && pwd)
. "$SETUP_DIR/common.sh"

C=$SQAUTH_TEST_DIR/cyrus
SRC=$SETUP_DIR/cyrus
INSTANCES="auth authint authconf smallbuf weak des3 all tamper replay truncate cleartext oversize"

die() { echo "cyrus.sh: $*" >&2; exit 1; }

inst_port() {
    case $1 in
        auth) echo "$SQAUTH_TEST_CYRUS_AUTH_PORT" ;;
        authint) echo "$SQAUTH_TEST_CYRUS_AUTHINT_PORT" ;;
        authconf) echo "$SQAUTH_TEST_CYRUS_AUTHCONF_PORT" ;;
        smallbuf) echo "$SQAUTH_TEST_CYRUS_SMALLBUF_PORT" ;;
        weak) echo "$SQAUTH_TEST_CYRUS_WEAK_PORT" ;;
        des3) echo "$SQAUTH_TEST_CYRUS_3DES_PORT" ;;
        all) echo "$SQAUTH_TEST_CYRUS_ALL_PORT" ;;
        tamper) echo "$SQAUTH_TEST_CYRUS_TAMPER_PORT" ;;
        replay) echo "$SQAUTH_TEST_CYRUS_REPLAY_PORT" ;;
        truncate) echo "$SQAUTH_TEST_CYRUS_TRUNCATE_PORT" ;;
        cleartext) echo "$SQAUTH_TEST_CYRUS_CLEARTEXT_PORT" ;;
        oversize) echo "$SQAUTH_TEST_CYRUS_OVERSIZE_PORT" ;;
    esac
}

# SASL_SEC_PROPS etc. of each instance (every one has the realms a.example and b.example)
inst_args() {
    case $1 in
        auth) echo "--min-ssf 0 --max-ssf 0" ;;          # qop="auth"
        authint) echo "--min-ssf 1 --max-ssf 1" ;;       # qop="auth-int"
        authconf) echo "--min-ssf 2 --max-ssf 256" ;;    # qop="auth-conf", all five ciphers
        smallbuf) echo "--min-ssf 2 --max-ssf 256 --maxbuf 4096" ;;
        weak) echo "--min-ssf 2 --max-ssf 56" ;;         # rc4-40,rc4-56,des
        des3) echo "--min-ssf 112 --max-ssf 112" ;;      # 3des only
        all) echo "--min-ssf 0 --max-ssf 256" ;;         # auth,auth-int,auth-conf, all ciphers
        # the misbehaving ones offer auth-int and auth-conf (all ciphers): the client chooses
        tamper) echo "--min-ssf 1 --max-ssf 256 --evil tamper-mac" ;;
        replay) echo "--min-ssf 1 --max-ssf 256 --evil replay" ;;
        truncate) echo "--min-ssf 1 --max-ssf 256 --evil truncate" ;;
        cleartext) echo "--min-ssf 1 --max-ssf 256 --evil cleartext" ;;
        oversize) echo "--min-ssf 1 --max-ssf 256 --evil oversize" ;;
    esac
}

build() {
    mkdir -p "$C"
    libs=$(pkg-config --libs libsasl2 2>/dev/null || echo -lsasl2)
    cflags=$(pkg-config --cflags libsasl2 2>/dev/null || true)
    for prog in sasl_echo_server sasl_echo_client; do
        if [ ! -x "$C/$prog" ] || [ -n "$(find "$SRC/$prog.c" -newer "$C/$prog")" ]; then
            # -rdynamic: the DES_key_sched() override must be visible to the dlopen'ed plugin
            # shellcheck disable=SC2086
            ${CC:-cc} -O2 -Wall -Wextra -rdynamic $cflags -o "$C/$prog.tmp" "$SRC/$prog.c" $libs -lcrypto \
                >"$C/build.log" 2>&1 || { cat "$C/build.log" >&2; die "building $prog failed"; }
            mv "$C/$prog.tmp" "$C/$prog"
        fi
    done
}

make_db() {
    command -v saslpasswd2 >/dev/null || die "saslpasswd2 missing (Debian package sasl2-bin)"
    rm -f "$C/sasldb" "$C/sasldb".*
    printf '%s' "$SQAUTH_TEST_PASS" | saslpasswd2 -c -p -f "$C/sasldb" -u "$SQAUTH_TEST_DEFAULT_REALM" "$SQAUTH_TEST_USER" \
        || die "saslpasswd2 failed"
    printf '%s' "$SQAUTH_TEST_REALM2_PASS" | saslpasswd2 -c -p -f "$C/sasldb" -u b.example "$SQAUTH_TEST_REALM2_USER" \
        || die "saslpasswd2 failed"
    cat >"$C/sqauth-echo.conf" <<EOF
pwcheck_method: auxprop
auxprop_plugin: sasldb
sasldb_path: $C/sasldb
mech_list: DIGEST-MD5
EOF
}

do_start() {
    [ -e /usr/include/sasl/sasl.h ] || die "libsasl2 headers missing (Debian package libsasl2-dev)"
    build
    write_env
    # a running set keeps its sasldb; only (re)create it when nothing runs
    running=0
    for n in $INSTANCES; do pid_alive "$C/$n.pid" && running=1; done
    [ $running -eq 1 ] || make_db
    for n in $INSTANCES; do
        pid_alive "$C/$n.pid" && continue
        port=$(inst_port "$n")
        ! port_open "$SQAUTH_TEST_HOST" "$port" || die "port $port already in use ($n)"
        rm -f "$C/$n.pid"
        # shellcheck disable=SC2046
        "$C/sasl_echo_server" --port "$port" --host "$SQAUTH_TEST_HOST" \
            --realm "$SQAUTH_TEST_DEFAULT_REALM" --realm b.example $(inst_args "$n") \
            --conf-dir "$C" --app sqauth-echo --log "$C/$n.log" --pidfile "$C/$n.pid" \
            </dev/null >"$C/$n.out" 2>&1 &
    done
    deadline=$(( $(date +%s) + SQAUTH_TEST_START_TIMEOUT ))
    # no pid file to watch: the server writes its own only once it listens
    for n in $INSTANCES; do
        wait_port "$(inst_port "$n")" "$deadline" \
            || { tail -n 20 "$C/$n.log" "$C/$n.out" >&2; die "instance $n is not listening on $(inst_port "$n")"; }
    done
    # ready: each greets with its mechanisms (tests/setup/README.md, "Readiness")
    # shellcheck disable=SC2046
    php -n "$SETUP_DIR/ready.php" --timeout="$SQAUTH_TEST_START_TIMEOUT" \
        $(for n in $INSTANCES; do printf 'cyrus-%s=imap://%s:%s ' "$n" "$SQAUTH_TEST_HOST" "$(inst_port "$n")"; done) \
        || die "Cyrus SASL servers not ready"
    echo "cyrus.sh: started ($(for n in $INSTANCES; do printf '%s:%s ' "$n" "$(inst_port "$n")"; done))"
}

do_stop() {
    # the server ends its per-connection children itself (its own process group)
    for n in $INSTANCES; do stop_pidfile "$C/$n.pid"; done
    echo "cyrus.sh: stopped"
}

do_status() {
    rc=0
    for n in $INSTANCES; do
        port=$(inst_port "$n")
        pid=$(pidfile_pid "$C/$n.pid")
        if port_open "$SQAUTH_TEST_HOST" "$port"; then st=listening; else st=closed; rc=1; fi
        printf '%-10s pid %-7s %s:%-5s %-9s %s\n' "$n" "${pid:--}" "$SQAUTH_TEST_HOST" "$port" "$st" "$(inst_args "$n")"
    done
    return $rc
}

case ${1:-} in
    start) do_start ;;
    stop) do_stop ;;
    status) do_status ;;
    env) write_env 2>/dev/null || true; print_env ;;
    *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
