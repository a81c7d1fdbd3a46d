#!/bin/sh
# Private Dovecot instances on loopback for sqauth's real-server tests.
#
#   servers.sh start    make certificates, configs, the mail user; start everything; return once
#                       every endpoint is ready (ready.php; at most SQAUTH_TEST_START_TIMEOUT
#                       seconds, default 30)
#   servers.sh stop     stop every instance this script started (safe to call twice)
#   servers.sh status   one line per instance and port
#   servers.sh env      print `export` lines (also written to $SQAUTH_TEST_DIR/env.sh, env.json)
#
# All state lives under $SQAUTH_TEST_DIR (default /tmp/sqauth-test): certs/, dovecot/NAME/
# (config, base_dir, state_dir), log/, mail/, relay/. Nothing touches the system Dovecot.
#
# Instances (Dovecot 2.3 has no per-listener certificate, and `local` blocks only select by
# local IP, which would move the bad certificates off 127.0.0.1 where their SANs point), so each
# certificate gets its own small Dovecot (own base_dir, instance_name and config):
#   main        server.pem   IMAP(STARTTLS) IMAPS POP3(STLS) POP3S submission(STARTTLS)
#                            submissions LMTP ManageSieve(STARTTLS, Pigeonhole)
#   expired     expired.pem     IMAPS
#   wronghost   wronghost.pem   IMAPS
#   selfsigned  selfsigned.pem  IMAPS
#   unknownca   unknownca.pem   IMAPS
#   clientcert  server.pem + ssl_verify_client_cert (clientca.pem): IMAPS and IMAP(STARTTLS);
#               logging in needs a valid client certificate; EXTERNAL takes the user from its CN
#   resume      server.pem   IMAPS and IMAP(STARTTLS) in Dovecot's "high-performance" login
#               mode: one long-lived imap-login process, so the TLS session tickets it issues
#               can be resumed (every other instance forks a login process per connection,
#               each with fresh ticket keys: resumption always falls back to a full handshake);
#               100 sessions per user and address (mail_max_userip_connections) for
#               bench/soak.php
# The main instance listens on 127.0.0.1, 127.0.0.2 ($SQAUTH_TEST_REMOTE_HOST) and ::1 (when
# the kernel has IPv6 loopback); the others on 127.0.0.1 and ::1. On 127.0.0.1 and ::1 Dovecot
# counts the client as "secured" (remote IP == local IP) and allows PLAIN/LOGIN without TLS; on
# 127.0.0.2 it behaves as for a remote client (LOGINDISABLED, no AUTH before STARTTLS).
# plus smtp_relay.pl: the SMTP relay that Dovecot's submission service forwards to; it
# delivers to the main instance's LMTP and keeps a copy of each message in relay/spool/.
# plus oauth2_introspect.php under `php -S` on $SQAUTH_TEST_OAUTH_PORT: the token introspection
# endpoint (RFC 7662) behind the main instance's oauth2 passdb, which serves XOAUTH2 and
# OAUTHBEARER; it accepts the one token $SQAUTH_TEST_OAUTH_TOKEN, for testuser@a.example, and
# tokens that expire ($SQAUTH_TEST_OAUTH_EXPIRING_PREFIX and a Unix time).
# Needs root (Dovecot's privilege separation, the mail user).
set -eu
SETUP_DIR=$(cd "$(dirname "$0")" && pwd)
. "$SETUP_DIR/common.sh"

D=$SQAUTH_TEST_DIR
INSTANCES="main expired wronghost selfsigned unknownca clientcert resume"

die() { echo "servers.sh: $*" >&2; exit 1; }

instance_ports() {
    case $1 in
        main) echo "$SQAUTH_TEST_IMAP_PORT $SQAUTH_TEST_IMAPS_PORT $SQAUTH_TEST_POP3_PORT $SQAUTH_TEST_POP3S_PORT $SQAUTH_TEST_SUBMISSION_PORT $SQAUTH_TEST_SUBMISSIONS_PORT $SQAUTH_TEST_SIEVE_PORT $SQAUTH_TEST_LMTP_PORT" ;;
        expired) echo "$SQAUTH_TEST_IMAPS_EXPIRED_PORT" ;;
        wronghost) echo "$SQAUTH_TEST_IMAPS_WRONGHOST_PORT" ;;
        selfsigned) echo "$SQAUTH_TEST_IMAPS_SELFSIGNED_PORT" ;;
        unknownca) echo "$SQAUTH_TEST_IMAPS_UNKNOWNCA_PORT" ;;
        clientcert) echo "$SQAUTH_TEST_IMAPS_CLIENTCERT_PORT $SQAUTH_TEST_IMAP_CLIENTCERT_PORT" ;;
        resume) echo "$SQAUTH_TEST_IMAPS_RESUME_PORT $SQAUTH_TEST_IMAP_RESUME_PORT" ;;
    esac
}

# ready_endpoints: NAME=KIND://HOST:PORT for ready.php, every listener of every instance on
# every address it listens on
ready_endpoints() {
    for n in $INSTANCES; do
        for a in $(listen_addrs "$n" | tr -d ,); do
            case $a in *:*) a="[$a]" ;; esac
            case $n in
            main)
                printf '%s ' "$n-imap=imap+starttls://$a:$SQAUTH_TEST_IMAP_PORT" \
                    "$n-imaps=imaps://$a:$SQAUTH_TEST_IMAPS_PORT" \
                    "$n-pop3=pop3+stls://$a:$SQAUTH_TEST_POP3_PORT" \
                    "$n-pop3s=pop3s://$a:$SQAUTH_TEST_POP3S_PORT" \
                    "$n-submission=smtp+starttls://$a:$SQAUTH_TEST_SUBMISSION_PORT" \
                    "$n-submissions=smtps://$a:$SQAUTH_TEST_SUBMISSIONS_PORT" \
                    "$n-sieve=sieve+starttls://$a:$SQAUTH_TEST_SIEVE_PORT" ;;
            clientcert)
                printf '%s ' "$n-imaps=imaps://$a:$SQAUTH_TEST_IMAPS_CLIENTCERT_PORT" \
                    "$n-imap=imap+starttls://$a:$SQAUTH_TEST_IMAP_CLIENTCERT_PORT" ;;
            resume)
                printf '%s ' "$n-imaps=imaps://$a:$SQAUTH_TEST_IMAPS_RESUME_PORT" \
                    "$n-imap=imap+starttls://$a:$SQAUTH_TEST_IMAP_RESUME_PORT" ;;
            *)
                printf '%s ' "$n-imaps=imaps://$a:$(instance_ports "$n")" ;;
            esac
        done
    done
    # LMTP listens on SQAUTH_TEST_HOST only
    printf '%s ' "main-lmtp=lmtp://$SQAUTH_TEST_HOST:$SQAUTH_TEST_LMTP_PORT" \
        "relay=smtp://$SQAUTH_TEST_HOST:$SQAUTH_TEST_RELAY_PORT" \
        "oauth2=http://$SQAUTH_TEST_HOST:$SQAUTH_TEST_OAUTH_PORT"
}

ensure_mail_user() {
    if ! getent passwd "$SQAUTH_TEST_MAIL_USER" >/dev/null; then
        getent group "$SQAUTH_TEST_MAIL_USER" >/dev/null || groupadd --system "$SQAUTH_TEST_MAIL_USER"
        useradd --system --gid "$SQAUTH_TEST_MAIL_USER" --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin "$SQAUTH_TEST_MAIL_USER"
    fi
    MAIL_UID=$(id -u "$SQAUTH_TEST_MAIL_USER")
    MAIL_GID=$(id -g "$SQAUTH_TEST_MAIL_USER")
    [ "$MAIL_UID" -ne 0 ] || die "mail user must not be root"
}

write_passwd() {
    # user:{scheme}password — lookups are by the full name; Dovecot appends
    # auth_default_realm (@a.example) to a name given without a realm.
    umask 027
    {
        printf '%s@a.example:{PLAIN}%s\n' "$SQAUTH_TEST_USER" "$SQAUTH_TEST_PASS"
        printf '%s@a.example:{PLAIN}%s\n' "$SQAUTH_TEST_UTF8_USER" "$SQAUTH_TEST_UTF8_PASS"
        printf '%s@b.example:{PLAIN}%s\n' "$SQAUTH_TEST_REALM2_USER" "$SQAUTH_TEST_REALM2_PASS"
        i=1
        while [ "$i" -le "$SQAUTH_TEST_POOL_USERS" ]; do
            printf 'pool%02d@a.example:{PLAIN}%s\n' "$i" "$SQAUTH_TEST_POOL_PASS"
            i=$((i + 1))
        done
    } >"$D/passwd.tmp"
    chgrp dovecot "$D/passwd.tmp"
    mv "$D/passwd.tmp" "$D/passwd"
    printf '%s@a.example:::::::nopassword=y\n' "$SQAUTH_TEST_USER" >"$D/passwd-external.tmp"
    chgrp dovecot "$D/passwd-external.tmp"
    mv "$D/passwd-external.tmp" "$D/passwd-external"
    # stored SCRAM keys: {SCRAM-SHA-256}i,salt,StoredKey,ServerKey
    {
        printf '%s@a.example:%s\n' "$SQAUTH_TEST_SCRAM_USER" "$(doveadm pw -s SCRAM-SHA-256 -p "$SQAUTH_TEST_SCRAM_PASS")"
        printf '%s@a.example:%s\n' "$SQAUTH_TEST_SCRAM1_USER" "$(doveadm pw -s SCRAM-SHA-1 -p "$SQAUTH_TEST_SCRAM_PASS")"
    } >"$D/passwd-scram.tmp"
    chgrp dovecot "$D/passwd-scram.tmp"
    mv "$D/passwd-scram.tmp" "$SQAUTH_TEST_SCRAM_PASSWD"
    umask 022
}

listen_addrs() { # NAME
    # the main instance also on SQAUTH_TEST_REMOTE_HOST (see common.sh); IPv6 loopback too
    # when the kernel has it (server.pem carries IP:::1)
    a=$SQAUTH_TEST_HOST
    [ "$1" = main ] && a="$a, $SQAUTH_TEST_REMOTE_HOST"
    if grep -q '^0\{31\}1 .* lo$' /proc/net/if_inet6 2>/dev/null; then
        a="$a, ::1"
    fi
    echo "$a"
}

# write_conf NAME CERTNAME PROTOCOLS
write_conf() {
    name=$1 cert=$2 protocols=$3
    dir=$D/dovecot/$name
    mkdir -p "$dir/base" "$dir/state"
    pwmechs="plain login cram-md5 digest-md5 scram-sha-1 scram-sha-256"
    mechs=$pwmechs
    pwfilter=""
    [ "$name" = clientcert ] && mechs="$mechs external"
    if [ "$name" = main ]; then
        mechs="$mechs xoauth2 oauthbearer"
        # Dovecot hands the bearer token to the passdbs as the password: without this
        # filter (2.3 has no negation) XOAUTH2 with the password as "token" would log in
        # through passwd-file. "none" keeps passdb lookups without a mechanism (doveadm).
        pwfilter="  mechanisms = $pwmechs none"
        write_oauth2_conf "$dir"
    fi
    {
        cat <<EOF
# generated by tests/setup/servers.sh — instance "$name"
instance_name = sqauth-$name
base_dir = $dir/base
state_dir = $dir/state
log_path = $D/log/$name.log
protocols = $protocols
listen = $(listen_addrs "$name")
hostname = localhost
postmaster_address = postmaster@localhost
login_greeting = sqauth test dovecot ($name) ready.
shutdown_clients = yes

default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = $MAIL_UID
last_valid_uid = $MAIL_UID
first_valid_gid = $MAIL_GID
mail_uid = $MAIL_UID
mail_gid = $MAIL_GID
mail_location = maildir:$D/mail/%d/%n/Maildir

auth_mechanisms = $mechs
auth_realms = $SQAUTH_TEST_REALMS
auth_default_realm = $SQAUTH_TEST_DEFAULT_REALM
disable_plaintext_auth = yes
auth_verbose = yes
# the fields of each IMAP ID command in the log (SquirrelMail's imap_id_command_args, e2e test)
imap_id_log = *
# The session in every IMAP logout line: Dovecot now and then logs a session's end without its
# "imap(user)<pid><session>: " prefix, and the pool tests (tests/live/pool.inc) follow sessions by it
imap_logout_format = in=%i out=%o session=<%{session}>
auth_failure_delay = 0
# allow UTF-8 user names (jürgen); the default set is ASCII only
auth_username_chars =
passdb {
  driver = passwd-file
  args = scheme=PLAIN $D/passwd
$pwfilter
}
userdb {
  driver = static
  args = uid=$MAIL_UID gid=$MAIL_GID home=$D/mail/%d/%n
}

ssl = yes
ssl_cert = <$SQAUTH_TEST_CERTS/$cert.pem
ssl_key = <$SQAUTH_TEST_CERTS/$cert.key
ssl_min_protocol = TLSv1.2
verbose_ssl = yes
# no anvil auth penalty: tests fail logins on purpose and the next login from 127.0.0.1
# would be delayed by up to 15 s
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
EOF
        case $name in
        main)
            cat <<EOF

service imap-login {
  inet_listener imap {
    port = $SQAUTH_TEST_IMAP_PORT
  }
  inet_listener imaps {
    port = $SQAUTH_TEST_IMAPS_PORT
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    port = $SQAUTH_TEST_POP3_PORT
  }
  inet_listener pop3s {
    port = $SQAUTH_TEST_POP3S_PORT
    ssl = yes
  }
}
service submission-login {
  inet_listener submission {
    port = $SQAUTH_TEST_SUBMISSION_PORT
  }
  inet_listener submissions {
    port = $SQAUTH_TEST_SUBMISSIONS_PORT
    ssl = yes
  }
}
# ManageSieve (Pigeonhole): scripts live beside the mail; logging in is what the tests need
service managesieve-login {
  inet_listener sieve {
    port = $SQAUTH_TEST_SIEVE_PORT
  }
}
plugin {
  sieve = file:$D/mail/%d/%n/sieve;active=$D/mail/%d/%n/active.sieve
}
service lmtp {
  inet_listener lmtp {
    address = $SQAUTH_TEST_HOST
    port = $SQAUTH_TEST_LMTP_PORT
  }
}
submission_relay_host = $SQAUTH_TEST_HOST
submission_relay_port = $SQAUTH_TEST_RELAY_PORT

# XOAUTH2 / OAUTHBEARER: the token is checked by oauth2_introspect.php (see
# dovecot-oauth2.conf.ext); only for these two mechanisms
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $dir/dovecot-oauth2.conf.ext
}
# SCRAM-only accounts with stored keys: a fixed salt per account (see common.sh)
passdb {
  driver = passwd-file
  mechanisms = scram-sha-1 scram-sha-256
  args = $SQAUTH_TEST_SCRAM_PASSWD
}
EOF
            ;;
        clientcert)
            cat <<EOF
ssl_ca = <$SQAUTH_TEST_CERTS/clientca.pem
ssl_verify_client_cert = yes
ssl_require_crl = no
auth_ssl_require_client_cert = yes
auth_ssl_username_from_cert = yes
ssl_cert_username_field = commonName
# EXTERNAL: the user name is the certificate's CN; this passdb accepts it without a password,
# only for EXTERNAL and only for the users listed in passwd-external
passdb {
  driver = passwd-file
  mechanisms = external
  args = $D/passwd-external
}

service imap-login {
  inet_listener imap {
    port = $SQAUTH_TEST_IMAP_CLIENTCERT_PORT
  }
  inet_listener imaps {
    port = $SQAUTH_TEST_IMAPS_CLIENTCERT_PORT
    ssl = yes
  }
}
EOF
            ;;
        resume)
            cat <<EOF

# "high-performance" mode: one imap-login process for every connection, kept
# running, so one SSL_CTX and one ticket key: clients can resume their sessions
# bench/soak.php holds 50 sessions of one user from one address open at once;
# Dovecot's default of 10 per user and address would refuse the 11th
mail_max_userip_connections = 100
service imap-login {
  service_count = 0
  process_min_avail = 1
  process_limit = 1
  inet_listener imap {
    port = $SQAUTH_TEST_IMAP_RESUME_PORT
  }
  inet_listener imaps {
    port = $SQAUTH_TEST_IMAPS_RESUME_PORT
    ssl = yes
  }
}
EOF
            ;;
        *)
            cat <<EOF

service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    port = $(instance_ports "$name")
    ssl = yes
  }
}
EOF
            ;;
        esac
    } >"$dir/dovecot.conf"
}

write_oauth2_conf() { # DIR: the oauth2 passdb's settings (Dovecot 2.3 db-oauth2)
    # tokeninfo_url empty: Dovecot POSTs token=... to introspection_url and takes the user
    # from "username"; it must equal the login name after auth_default_realm (%Lu).
    cat >"$1/dovecot-oauth2.conf.ext" <<EOF
# generated by tests/setup/servers.sh
introspection_mode = post
introspection_url = http://$SQAUTH_TEST_HOST:$SQAUTH_TEST_OAUTH_PORT/introspect
username_attribute = username
username_format = %Lu
active_attribute = active
active_value = true
timeout_msecs = 5000
EOF
    chmod 644 "$1/dovecot-oauth2.conf.ext"
}

instance_pid() { # NAME -> pid of its master, or nothing
    f=$D/dovecot/$1/base/master.pid
    if [ -s "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null; then cat "$f"; fi
}

relay_pidfile() { echo "$D/relay/relay.pid"; }
oauth_pidfile() { echo "$D/oauth2/introspect.pid"; }

do_start() {
    [ "$(id -u)" -eq 0 ] || die "must run as root (Dovecot drops privileges itself)"
    command -v dovecot >/dev/null || die "dovecot is not installed (apt-get install dovecot-imapd dovecot-pop3d dovecot-submissiond dovecot-lmtpd dovecot-managesieved)"
    mkdir -p "$D" "$D/log" "$D/mail" "$D/relay/spool" "$D/oauth2"
    chmod 755 "$D"
    sh "$SETUP_DIR/certs.sh" "$SQAUTH_TEST_CERTS" >"$D/log/certs.log" 2>&1 \
        || { cat "$D/log/certs.log" >&2; die "certificate generation failed"; }
    ensure_mail_user
    chown "$MAIL_UID:$MAIL_GID" "$D/mail"
    chmod 700 "$D/mail"
    write_passwd
    write_env

    write_conf main server "imap pop3 submission lmtp sieve"
    write_conf expired expired imap
    write_conf wronghost wronghost imap
    write_conf selfsigned selfsigned imap
    write_conf unknownca unknownca imap
    write_conf clientcert server imap
    write_conf resume server imap

    for n in $INSTANCES; do
        if [ -n "$(instance_pid "$n")" ]; then
            # running: make it pick up a regenerated config
            doveadm -c "$D/dovecot/$n/dovecot.conf" reload 2>>"$D/log/$n.log" || true
            continue
        fi
        busy=$(for p in $(instance_ports "$n"); do port_open "$SQAUTH_TEST_HOST" "$p" && printf '%s ' "$p"; done; true)
        [ -z "$busy" ] || die "port(s) $busy already in use by something else (instance $n); override SQAUTH_TEST_*_PORT"
        # a socket left by an older config would make auth retry it for 5 s (penalty is off)
        rm -f "$D/dovecot/$n/base/anvil-auth-penalty"
        dovecot -c "$D/dovecot/$n/dovecot.conf" 2>>"$D/log/$n.log" \
            || { cat "$D/log/$n.log" >&2; die "dovecot instance $n failed to start"; }
    done

    if ! pid_alive "$(relay_pidfile)"; then
        if port_open "$SQAUTH_TEST_HOST" "$SQAUTH_TEST_RELAY_PORT"; then
            die "relay port $SQAUTH_TEST_RELAY_PORT already in use"
        fi
        # setsid: its own session, so that it outlives the shell that started it
        # (Dovecot daemonizes itself; these two would otherwise die with the
        # caller's process group). A background job is no group leader, so
        # setsid execs without forking and $! stays the server's pid.
        setsid perl "$SETUP_DIR/smtp_relay.pl" "$SQAUTH_TEST_HOST" "$SQAUTH_TEST_RELAY_PORT" \
            "$SQAUTH_TEST_HOST" "$SQAUTH_TEST_LMTP_PORT" "$SQAUTH_TEST_RELAY_SPOOL" \
            </dev/null >>"$D/log/relay.log" 2>&1 &
        echo $! >"$(relay_pidfile)"
    fi

    if ! pid_alive "$(oauth_pidfile)"; then
        command -v php >/dev/null || die "php (CLI) is needed for the OAuth2 introspection endpoint"
        if port_open "$SQAUTH_TEST_HOST" "$SQAUTH_TEST_OAUTH_PORT"; then
            die "OAuth2 introspection port $SQAUTH_TEST_OAUTH_PORT already in use"
        fi
        # -n: no php.ini, no extensions; one process (PHP_CLI_SERVER_WORKERS would fork
        # children that outlive a SIGTERM to the parent); exec: the pid is php's
        SQAUTH_OAUTH_TOKEN=$SQAUTH_TEST_OAUTH_TOKEN \
        SQAUTH_OAUTH_EXPIRING_PREFIX=$SQAUTH_TEST_OAUTH_EXPIRING_PREFIX \
        SQAUTH_OAUTH_USER="$SQAUTH_TEST_USER@$SQAUTH_TEST_DEFAULT_REALM" \
            setsid sh -c 'exec php -n -S "$1" "$2"' sh "$SQAUTH_TEST_HOST:$SQAUTH_TEST_OAUTH_PORT" \
            "$SETUP_DIR/oauth2_introspect.php" </dev/null >>"$D/log/oauth2.log" 2>&1 &
        echo $! >"$(oauth_pidfile)"
    fi

    # wait for every port
    all="$SQAUTH_TEST_RELAY_PORT $SQAUTH_TEST_OAUTH_PORT"
    for n in $INSTANCES; do all="$all $(instance_ports "$n")"; done
    deadline=$(( $(date +%s) + SQAUTH_TEST_START_TIMEOUT ))
    # shellcheck disable=SC2086
    while ! port_open "$SQAUTH_TEST_HOST" $all; do
        if [ "$(date +%s)" -ge "$deadline" ]; then
            # shellcheck disable=SC2086
            echo "servers.sh: not listening after ${SQAUTH_TEST_START_TIMEOUT}s: $(closed_ports "$SQAUTH_TEST_HOST" $all)" >&2
            for f in "$D"/log/*.log; do
                echo "----- $f" >&2
                tail -n 40 "$f" >&2
            done
            exit 1
        fi
        sleep 0.1
    done
    # shellcheck disable=SC2046
    while ! port_open "$SQAUTH_TEST_REMOTE_HOST" $(instance_ports main | sed "s/ $SQAUTH_TEST_LMTP_PORT\$//"); do
        if [ "$(date +%s)" -ge "$deadline" ]; then
            tail -n 40 "$D/log/main.log" >&2
            die "main instance not listening on $SQAUTH_TEST_REMOTE_HOST after ${SQAUTH_TEST_START_TIMEOUT}s"
        fi
        sleep 0.1
    done
    # Listening is not ready (tests/setup/README.md, "Readiness"): every endpoint of every
    # instance, on every address, must answer a real session that ends with its mechanisms.
    # shellcheck disable=SC2046
    php -n "$SETUP_DIR/ready.php" --timeout="$(( deadline - $(date +%s) > 1 ? deadline - $(date +%s) : 1 ))" \
        $(ready_endpoints) >"$D/log/ready.log" 2>&1 || {
        cat "$D/log/ready.log" >&2
        for f in "$D"/log/*.log; do
            echo "----- $f" >&2
            tail -n 15 "$f" >&2
        done
        die "servers not ready: see above (SQAUTH_TEST_START_TIMEOUT=$SQAUTH_TEST_START_TIMEOUT s)"
    }
    cat "$D/log/ready.log"
    echo "servers.sh: started (state in $D; env in $D/env.sh and $D/env.json)"
}

stop_instance() { # NAME: doveadm stop (it waits for the master to exit), then make sure
    conf=$D/dovecot/$1/dovecot.conf
    pidf=$D/dovecot/$1/base/master.pid
    [ -f "$conf" ] || return 0
    pid=$(instance_pid "$1")
    [ -n "$pid" ] || { rm -f "$pidf"; return 0; }
    doveadm -c "$conf" stop 2>/dev/null || kill "$pid" 2>/dev/null || true
    i=0
    while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    if kill -0 "$pid" 2>/dev/null; then
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$pidf"
}

do_stop() {
    # in parallel: a Dovecot master needs about 3 s to shut down
    waitfor=""
    for n in $INSTANCES; do
        stop_instance "$n" &
        waitfor="$waitfor $!"
    done
    # shellcheck disable=SC2086
    wait $waitfor
    pf=$(relay_pidfile)
    if pid_alive "$pf"; then
        kill "$(cat "$pf")" 2>/dev/null || true
    fi
    rm -f "$pf"
    pf=$(oauth_pidfile)
    if pid_alive "$pf"; then
        kill "$(cat "$pf")" 2>/dev/null || true
    fi
    rm -f "$pf"
    echo "servers.sh: stopped"
}

do_status() {
    rc=0
    for n in $INSTANCES; do
        pid=$(instance_pid "$n")
        for p in $(instance_ports "$n"); do
            if port_open "$SQAUTH_TEST_HOST" "$p"; then st=listening; else st=closed; rc=1; fi
            printf '%-11s pid %-7s %s:%-5s %s\n' "$n" "${pid:--}" "$SQAUTH_TEST_HOST" "$p" "$st"
        done
    done
    pf=$(relay_pidfile)
    pid=$(pid_alive "$pf" && cat "$pf" || true)
    if port_open "$SQAUTH_TEST_HOST" "$SQAUTH_TEST_RELAY_PORT"; then st=listening; else st=closed; rc=1; fi
    printf '%-11s pid %-7s %s:%-5s %s\n' relay "${pid:--}" "$SQAUTH_TEST_HOST" "$SQAUTH_TEST_RELAY_PORT" "$st"
    pf=$(oauth_pidfile)
    pid=$(pid_alive "$pf" && cat "$pf" || true)
    if port_open "$SQAUTH_TEST_HOST" "$SQAUTH_TEST_OAUTH_PORT"; then st=listening; else st=closed; rc=1; fi
    printf '%-11s pid %-7s %s:%-5s %s\n' oauth2 "${pid:--}" "$SQAUTH_TEST_HOST" "$SQAUTH_TEST_OAUTH_PORT" "$st"
    return $rc
}

case ${1:-} in
    start) do_start ;;
    stop) do_stop ;;
    restart) do_stop; do_start ;;
    status) do_status ;;
    env) write_env 2>/dev/null || true; print_env ;;
    *) echo "usage: $0 start|stop|restart|status|env" >&2; exit 2 ;;
esac
