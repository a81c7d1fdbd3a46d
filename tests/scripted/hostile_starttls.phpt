--TEST--
Hostile server: STARTTLS not offered, refused, and bytes injected after the STARTTLS reply
--EXTENSIONS--
sqauth
--FILE--
<?php
use SqAuth\Connection;
require __DIR__ . '/scripted.inc';

function run(string $what, string $scheme, array $steps): void
{
    $srv = sqauth_fake_server($steps);
    try {
        // no CA: the handshake is never reached
        Connection::open("$scheme://localhost:{$srv['port']}", ['timeout' => 5]);
        echo "$what: connected\n";
    } catch (SqAuth\Exception $e) {
        echo "$what: ", sqauth_describe($e), "\n";
        if ($e instanceof SqAuth\ProtocolException) {
            echo '  server response: ', var_export($e->getServerResponse(), true), "\n";
        }
    }
    echo '  server got: ', json_encode(sqauth_fake_server_finish($srv)), "\n";
}

// STARTTLS required but not advertised: Roundcube goes on in cleartext; here
// nothing but the capability query is sent (peer_starttls_mitm.phpt: the same
// against the real Dovecot with STARTTLS stripped by a man in the middle)
echo "-- not offered\n";
run('IMAP, no STARTTLS in CAPABILITY', 'imap', [
    ['send', "* OK fake ready\r\n"],
    ['expect', 'A0001 CAPABILITY'],
    ['send', "* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nA0001 OK done\r\n"],
    ['drain', 5],
]);
run('IMAP, no STARTTLS in the greeting code', 'imap', [
    ['send', "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] fake ready\r\n"],
    ['drain', 5],
]);
run('POP3, no STLS in CAPA', 'pop3', [
    ['send', "+OK fake\r\n"],
    ['expect', 'CAPA'],
    ['send', "+OK\r\nUSER\r\nSASL PLAIN\r\n.\r\n"],
    ['drain', 5],
]);
run('POP3, no CAPA at all', 'pop3', [
    ['send', "+OK fake\r\n"],
    ['expect', 'CAPA'],
    ['send', "-ERR unknown command\r\n"],
    ['drain', 5],
]);
run('SMTP, no STARTTLS in EHLO', 'smtp', [
    ['send', "220 fake ESMTP\r\n"],
    ['expect', 'EHLO '],
    ['send', "250-fake\r\n250-AUTH PLAIN\r\n250 SIZE 1000\r\n"],
    ['drain', 5],
]);

echo "-- refused\n";
run('IMAP NO', 'imap', [
    ['send', "* OK [CAPABILITY IMAP4rev1 STARTTLS] fake\r\n"],
    ['expect', 'A0001 STARTTLS'],
    ['send', "A0001 NO [UNAVAILABLE] TLS is not configured\r\n"],
    ['drain', 5],
]);
run('POP3 -ERR', 'pop3', [
    ['send', "+OK fake\r\n"],
    ['expect', 'CAPA'],
    ['send', "+OK\r\nSTLS\r\n.\r\n"],
    ['expect', 'STLS'],
    ['send', "-ERR not now\r\n"],
    ['drain', 5],
]);
run('SMTP 454', 'smtp', [
    ['send', "220 fake ESMTP\r\n"],
    ['expect', 'EHLO '],
    ['send', "250-fake\r\n250 STARTTLS\r\n"],
    ['expect', 'STARTTLS'],
    ['send', "454 4.7.0 TLS not available due to temporary reason\r\n"],
    ['drain', 5],
]);

echo "-- injected\n";
// the reply and a forged line in one write: both are read before the handshake
run('IMAP', 'imap', [
    ['send', "* OK [CAPABILITY IMAP4rev1 STARTTLS] fake\r\n"],
    ['expect', 'A0001 STARTTLS'],
    ['send', "A0001 OK Begin TLS\r\n* OK injected\r\n"],
    ['drain', 5],
]);
run('POP3', 'pop3', [
    ['send', "+OK fake\r\n"],
    ['expect', 'CAPA'],
    ['send', "+OK\r\nSTLS\r\n.\r\n"],
    ['expect', 'STLS'],
    ['send', "+OK go\r\n+OK injected\r\n"],
    ['drain', 5],
]);
run('SMTP', 'smtp', [
    ['send', "220 fake ESMTP\r\n"],
    ['expect', 'EHLO '],
    ['send', "250-fake\r\n250 STARTTLS\r\n"],
    ['expect', 'STARTTLS'],
    ['send', "220 go ahead\r\n250-AUTH PLAIN\r\n"],
    ['drain', 5],
]);
?>
--EXPECT--
-- not offered
IMAP, no STARTTLS in CAPABILITY: SqAuth\ProtocolException (15): the server does not offer STARTTLS; refusing to continue without TLS (use implicit TLS, or 'tls' => 'none' to allow plaintext)
  server response: 'A0001 OK done'
  server got: ["A0001 CAPABILITY"]
IMAP, no STARTTLS in the greeting code: SqAuth\ProtocolException (15): the server does not offer STARTTLS; refusing to continue without TLS (use implicit TLS, or 'tls' => 'none' to allow plaintext)
  server response: '* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] fake ready'
  server got: []
POP3, no STLS in CAPA: SqAuth\ProtocolException (15): the server does not offer STLS; refusing to continue without TLS (use implicit TLS, or 'tls' => 'none' to allow plaintext)
  server response: '+OK'
  server got: ["CAPA"]
POP3, no CAPA at all: SqAuth\ProtocolException (15): the server does not offer STLS; refusing to continue without TLS (use implicit TLS, or 'tls' => 'none' to allow plaintext)
  server response: '-ERR unknown command'
  server got: ["CAPA"]
SMTP, no STARTTLS in EHLO: SqAuth\ProtocolException (15): the server does not offer STARTTLS; refusing to continue without TLS (use implicit TLS, or 'tls' => 'none' to allow plaintext)
  server response: '250-fake
250-AUTH PLAIN
250 SIZE 1000'
  server got: ["EHLO [127.0.0.1]"]
-- refused
IMAP NO: SqAuth\ProtocolException (15): the IMAP server refused STARTTLS: A0001 NO [UNAVAILABLE] TLS is not configured
  server response: 'A0001 NO [UNAVAILABLE] TLS is not configured'
  server got: ["A0001 STARTTLS"]
POP3 -ERR: SqAuth\ProtocolException (15): the POP3 server refused STLS: -ERR not now
  server response: '-ERR not now'
  server got: ["CAPA","STLS"]
SMTP 454: SqAuth\ProtocolException (15): the SMTP server refused STARTTLS: 454 4.7.0 TLS not available due to temporary reason
  server response: '454 4.7.0 TLS not available due to temporary reason'
  server got: ["EHLO [127.0.0.1]","STARTTLS"]
-- injected
IMAP: SqAuth\ProtocolException (15): the server sent 15 bytes after the STARTTLS reply and before the TLS handshake (possible response injection); connection dropped
  server response: 'A0001 OK Begin TLS'
  server got: ["A0001 STARTTLS"]
POP3: SqAuth\ProtocolException (15): the server sent 14 bytes after the STLS reply and before the TLS handshake (possible response injection); connection dropped
  server response: '+OK go'
  server got: ["CAPA","STLS"]
SMTP: SqAuth\ProtocolException (15): the server sent 16 bytes after the STARTTLS reply and before the TLS handshake (possible response injection); connection dropped
  server response: '220 go ahead'
  server got: ["EHLO [127.0.0.1]","STARTTLS"]
