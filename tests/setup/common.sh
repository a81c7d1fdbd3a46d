# shellcheck shell=sh disable=SC2034,SC2154
# Shared settings of the real-server test setup; sourced (POSIX sh) by
# servers.sh, tls_peer.sh, cyrus.sh, smoke.sh and cyrus/check.sh. Every value can be
# overridden from the environment before calling those scripts.

SETUP_DIR=${SETUP_DIR:-$(cd "$(dirname "$0")" && pwd)}

: "${SQAUTH_TEST_DIR:=/tmp/sqauth-test}"
# the longest a start script waits for its servers to listen and be ready (README, "Readiness")
: "${SQAUTH_TEST_START_TIMEOUT:=30}"
: "${SQAUTH_TEST_CERTS:=$SQAUTH_TEST_DIR/certs}"
: "${SQAUTH_TEST_HOST:=127.0.0.1}"        # every listener is on this address
: "${SQAUTH_TEST_HOSTNAME:=localhost}"    # the name in the good certificate's SAN
# Dovecot treats a client whose IP equals the server's local IP (any loopback client of
# 127.0.0.1 or ::1) as "secured": PLAIN/LOGIN work without TLS and LOGINDISABLED is not sent.
# The main instance also listens on this second loopback address (the kernel gives clients
# the source 127.0.0.1), where it behaves as for a remote client: no cleartext
# authentication before STARTTLS. server.pem carries IP:127.0.0.2 as well.
: "${SQAUTH_TEST_REMOTE_HOST:=127.0.0.2}"

# main Dovecot instance (certificate server.pem)
: "${SQAUTH_TEST_IMAP_PORT:=31143}"         # IMAP, STARTTLS
: "${SQAUTH_TEST_IMAPS_PORT:=31993}"        # IMAP over TLS
: "${SQAUTH_TEST_POP3_PORT:=31110}"         # POP3, STLS
: "${SQAUTH_TEST_POP3S_PORT:=31995}"        # POP3 over TLS
: "${SQAUTH_TEST_SUBMISSION_PORT:=31587}"   # SMTP submission, STARTTLS
: "${SQAUTH_TEST_SUBMISSIONS_PORT:=31465}"  # SMTP submission over TLS
: "${SQAUTH_TEST_LMTP_PORT:=31024}"         # LMTP (delivery into the test mailboxes)
: "${SQAUTH_TEST_RELAY_PORT:=31025}"        # tiny SMTP relay behind submission -> LMTP
: "${SQAUTH_TEST_OAUTH_PORT:=31080}"        # HTTP token introspection for the oauth2 passdb
: "${SQAUTH_TEST_SIEVE_PORT:=31190}"        # ManageSieve (RFC 5804), STARTTLS
# one small Dovecot instance per bad certificate (IMAPS only)
: "${SQAUTH_TEST_IMAPS_EXPIRED_PORT:=31994}"
: "${SQAUTH_TEST_IMAPS_WRONGHOST_PORT:=31996}"
: "${SQAUTH_TEST_IMAPS_SELFSIGNED_PORT:=31997}"
: "${SQAUTH_TEST_IMAPS_UNKNOWNCA_PORT:=31998}"
# Dovecot asking for a client certificate (clientca.pem), IMAPS + IMAP/STARTTLS
: "${SQAUTH_TEST_IMAPS_CLIENTCERT_PORT:=31999}"
: "${SQAUTH_TEST_IMAP_CLIENTCERT_PORT:=31144}"
# Dovecot in "high-performance" login mode (one long-lived imap-login process, so TLS sessions
# can be resumed), IMAPS + IMAP/STARTTLS; also what bench/login.php measures resumption against
: "${SQAUTH_TEST_IMAPS_RESUME_PORT:=31992}"
: "${SQAUTH_TEST_IMAP_RESUME_PORT:=31145}"
# openssl s_server peers (tls_peer.sh)
: "${SQAUTH_TEST_TLS11_PORT:=32001}"        # TLS 1.0/1.1 only
: "${SQAUTH_TEST_TLS_CLIENTCERT_PORT:=32002}" # client certificate required
: "${SQAUTH_TEST_TLS_ALERT_PORT:=32003}"    # alert in the middle of the handshake
# Cyrus SASL DIGEST-MD5 echo servers with security layers (cyrus.sh; realms a.example b.example)
: "${SQAUTH_TEST_CYRUS_AUTH_PORT:=32101}"      # qop auth only
: "${SQAUTH_TEST_CYRUS_AUTHINT_PORT:=32102}"   # qop auth-int only
: "${SQAUTH_TEST_CYRUS_AUTHCONF_PORT:=32103}"  # qop auth-conf only, all five ciphers
: "${SQAUTH_TEST_CYRUS_SMALLBUF_PORT:=32104}"  # auth-conf, server maxbuf=4096
: "${SQAUTH_TEST_CYRUS_WEAK_PORT:=32105}"      # auth-conf, max SSF 56: rc4-40,rc4-56,des
: "${SQAUTH_TEST_CYRUS_3DES_PORT:=32106}"      # auth-conf, 3des only
: "${SQAUTH_TEST_CYRUS_ALL_PORT:=32107}"       # auth,auth-int,auth-conf, all ciphers
: "${SQAUTH_TEST_CYRUS_TAMPER_PORT:=32111}"    # evil: bit flipped in the first reply's MAC
: "${SQAUTH_TEST_CYRUS_REPLAY_PORT:=32112}"    # evil: first reply sent twice
: "${SQAUTH_TEST_CYRUS_TRUNCATE_PORT:=32113}"  # evil: length prefix > data, then close
: "${SQAUTH_TEST_CYRUS_CLEARTEXT_PORT:=32114}" # evil: echo sent unwrapped
: "${SQAUTH_TEST_CYRUS_OVERSIZE_PORT:=32115}"  # evil: length prefix 0x7fffffff, then close

# accounts (passwd-file, scheme PLAIN; Dovecot appends @a.example when no realm is given)
: "${SQAUTH_TEST_USER:=testuser}"
: "${SQAUTH_TEST_PASS:=testpass}"
: "${SQAUTH_TEST_UTF8_USER:=jürgen}"
: "${SQAUTH_TEST_UTF8_PASS:=pässword}"
: "${SQAUTH_TEST_REALM2_USER:=realmuser}"   # exists only as realmuser@b.example
: "${SQAUTH_TEST_REALM2_PASS:=realmpass}"
: "${SQAUTH_TEST_REALMS:=a.example b.example}"
: "${SQAUTH_TEST_DEFAULT_REALM:=a.example}"
: "${SQAUTH_TEST_MAIL_USER:=sqauthmail}"    # system user owning the mail folder
# SCRAM-only accounts (main instance, passwd-scram: stored SCRAM keys, so the salt stays the
# same from login to login; from the PLAIN passdb Dovecot derives SCRAM keys with a new random
# salt for every login). tests/live/auth_scram_cache.phpt rewrites the file to change a salt.
: "${SQAUTH_TEST_SCRAM_USER:=scramuser}"      # {SCRAM-SHA-256}
: "${SQAUTH_TEST_SCRAM1_USER:=scram1user}"    # {SCRAM-SHA-1}
: "${SQAUTH_TEST_SCRAM_PASS:=scrampass}"
# accounts for the connection pool's tests and bench/pageview.php's workers: pool01 ... poolNN,
# each test its own (a test that kicks its user's sessions must not hit another test's)
: "${SQAUTH_TEST_POOL_USERS:=50}"
: "${SQAUTH_TEST_POOL_PASS:=poolpass}"
# the one bearer token the introspection endpoint (oauth2_introspect.php) accepts, for
# SQAUTH_TEST_USER@SQAUTH_TEST_DEFAULT_REALM (XOAUTH2 and OAUTHBEARER on the main instance)
: "${SQAUTH_TEST_OAUTH_TOKEN:=sqauth-test-token-1}"
# and tokens that expire: this prefix and a Unix time ("sqauth-test-exp-1893456000") is
# active for that user until that second (oauth2_introspect.php)
: "${SQAUTH_TEST_OAUTH_EXPIRING_PREFIX:=sqauth-test-exp-}"

# NAME list written by write_env, in order
SQAUTH_ENV_VARS="SQAUTH_TEST_DIR SQAUTH_TEST_CERTS SQAUTH_TEST_HOST SQAUTH_TEST_HOSTNAME SQAUTH_TEST_REMOTE_HOST
SQAUTH_TEST_CA SQAUTH_TEST_OTHER_CA SQAUTH_TEST_CLIENT_CA SQAUTH_TEST_CLIENT_CERT
SQAUTH_TEST_CLIENT_KEY SQAUTH_TEST_CLIENT_COMBINED
SQAUTH_TEST_IMAP_PORT SQAUTH_TEST_IMAPS_PORT SQAUTH_TEST_POP3_PORT SQAUTH_TEST_POP3S_PORT
SQAUTH_TEST_SUBMISSION_PORT SQAUTH_TEST_SUBMISSIONS_PORT SQAUTH_TEST_LMTP_PORT
SQAUTH_TEST_RELAY_PORT SQAUTH_TEST_RELAY_SPOOL SQAUTH_TEST_OAUTH_PORT SQAUTH_TEST_SIEVE_PORT
SQAUTH_TEST_IMAPS_EXPIRED_PORT SQAUTH_TEST_IMAPS_WRONGHOST_PORT SQAUTH_TEST_IMAPS_SELFSIGNED_PORT
SQAUTH_TEST_IMAPS_UNKNOWNCA_PORT SQAUTH_TEST_IMAPS_CLIENTCERT_PORT SQAUTH_TEST_IMAP_CLIENTCERT_PORT
SQAUTH_TEST_IMAPS_RESUME_PORT SQAUTH_TEST_IMAP_RESUME_PORT
SQAUTH_TEST_TLS11_PORT SQAUTH_TEST_TLS_CLIENTCERT_PORT SQAUTH_TEST_TLS_ALERT_PORT
SQAUTH_TEST_CYRUS_AUTH_PORT SQAUTH_TEST_CYRUS_AUTHINT_PORT SQAUTH_TEST_CYRUS_AUTHCONF_PORT
SQAUTH_TEST_CYRUS_SMALLBUF_PORT SQAUTH_TEST_CYRUS_WEAK_PORT SQAUTH_TEST_CYRUS_3DES_PORT
SQAUTH_TEST_CYRUS_ALL_PORT SQAUTH_TEST_CYRUS_TAMPER_PORT SQAUTH_TEST_CYRUS_REPLAY_PORT
SQAUTH_TEST_CYRUS_TRUNCATE_PORT SQAUTH_TEST_CYRUS_CLEARTEXT_PORT SQAUTH_TEST_CYRUS_OVERSIZE_PORT
SQAUTH_TEST_USER SQAUTH_TEST_PASS SQAUTH_TEST_UTF8_USER SQAUTH_TEST_UTF8_PASS
SQAUTH_TEST_REALM2_USER SQAUTH_TEST_REALM2_PASS SQAUTH_TEST_REALMS SQAUTH_TEST_DEFAULT_REALM
SQAUTH_TEST_OAUTH_TOKEN SQAUTH_TEST_OAUTH_EXPIRING_PREFIX SQAUTH_TEST_SCRAM_USER SQAUTH_TEST_SCRAM1_USER SQAUTH_TEST_SCRAM_PASS SQAUTH_TEST_SCRAM_PASSWD
SQAUTH_TEST_POOL_USERS SQAUTH_TEST_POOL_PASS SQAUTH_TEST_DOVECOT_CONF"

SQAUTH_TEST_CA=$SQAUTH_TEST_CERTS/ca.pem
SQAUTH_TEST_OTHER_CA=$SQAUTH_TEST_CERTS/otherca.pem
SQAUTH_TEST_CLIENT_CA=$SQAUTH_TEST_CERTS/clientca.pem
SQAUTH_TEST_CLIENT_CERT=$SQAUTH_TEST_CERTS/client.pem
SQAUTH_TEST_CLIENT_KEY=$SQAUTH_TEST_CERTS/client.key
SQAUTH_TEST_CLIENT_COMBINED=$SQAUTH_TEST_CERTS/client-combined.pem
SQAUTH_TEST_RELAY_SPOOL=$SQAUTH_TEST_DIR/relay/spool
SQAUTH_TEST_SCRAM_PASSWD=$SQAUTH_TEST_DIR/passwd-scram
# the main instance's configuration, for doveadm (kick, who) in the tests
SQAUTH_TEST_DOVECOT_CONF=$SQAUTH_TEST_DIR/dovecot/main/dovecot.conf

# print `export NAME='value'` lines
print_env() {
    for _n in $SQAUTH_ENV_VARS; do
        eval "_v=\$$_n"
        printf "export %s='%s'\n" "$_n" "$_v"
    done
}

# JSON object of the same names; *_PORT values are numbers
print_env_json() {
    _sep="{"
    for _n in $SQAUTH_ENV_VARS; do
        eval "_v=\$$_n"
        case $_n in
            *_PORT|*_USERS) printf '%s\n  "%s": %s' "$_sep" "$_n" "$_v" ;;
            *) printf '%s\n  "%s": "%s"' "$_sep" "$_n" "$(printf '%s' "$_v" | sed 's/\\/\\\\/g; s/"/\\"/g')" ;;
        esac
        _sep=","
    done
    printf '\n}\n'
}

write_env() {
    mkdir -p "$SQAUTH_TEST_DIR"
    print_env >"$SQAUTH_TEST_DIR/env.sh.tmp" && mv "$SQAUTH_TEST_DIR/env.sh.tmp" "$SQAUTH_TEST_DIR/env.sh"
    print_env_json >"$SQAUTH_TEST_DIR/env.json.tmp" && mv "$SQAUTH_TEST_DIR/env.json.tmp" "$SQAUTH_TEST_DIR/env.json"
}

# port_open HOST PORT... : true when every port accepts a TCP connection
port_open() {
    perl -MIO::Socket::INET -e '
        my $h = shift;
        for my $p (@ARGV) {
            my $s = IO::Socket::INET->new(PeerAddr => $h, PeerPort => $p, Proto => "tcp", Timeout => 1)
                or exit 1;
            close $s;
        }
        exit 0;' "$@"
}

# closed_ports HOST PORT... : prints the ports that do not accept
closed_ports() {
    _h=$1
    shift
    for _p in "$@"; do
        port_open "$_h" "$_p" || printf '%s ' "$_p"
    done
}

# pid_alive PIDFILE
pid_alive() {
    [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

# Background servers with pid files (cyrus.sh, tls_peer.sh): each script starts its own
# servers its own way; waiting for them and stopping them is the same everywhere.

# pidfile_pid PIDFILE : prints the pid when that process is alive, nothing otherwise
pidfile_pid() {
    if pid_alive "$1"; then cat "$1"; fi
}

# wait_port PORT DEADLINE [PIDFILE] : waits until $SQAUTH_TEST_HOST:PORT accepts a connection;
# false once `date +%s` reaches DEADLINE or, given PIDFILE, as soon as that process is gone
# (a server that writes its pid file itself only once listening must not pass it)
wait_port() {
    while ! port_open "$SQAUTH_TEST_HOST" "$1"; do
        if [ "$(date +%s)" -ge "$2" ] || { [ -n "${3:-}" ] && ! pid_alive "$3"; }; then
            return 1
        fi
        sleep 0.1
    done
}

# stop_pidfile PIDFILE : TERM to the process, KILL if it is still there after 3 s; removes
# the pid file either way (safe to call twice)
stop_pidfile() {
    if pid_alive "$1"; then
        _pid=$(cat "$1")
        kill "$_pid" 2>/dev/null || true
        _i=0
        while kill -0 "$_pid" 2>/dev/null && [ $_i -lt 30 ]; do sleep 0.1; _i=$((_i + 1)); done
        kill -9 "$_pid" 2>/dev/null || true
    fi
    rm -f "$1"
}
