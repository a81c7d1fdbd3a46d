--TEST--
Hostile server: closes the connection before, inside and after the greeting
--EXTENSIONS--
sqauth
--FILE--
<?php
use SqAuth\Connection;
require __DIR__ . '/scripted.inc';

function run(string $what, string $scheme, array $steps, array $o = ['tls' => 'none']): void
{
    $srv = sqauth_fake_server($steps);
    try {
        Connection::open("$scheme://127.0.0.1:{$srv['port']}", $o + ['timeout' => 5]);
        echo "$what: connected\n";
    } catch (SqAuth\Exception $e) {
        echo "$what: ", sqauth_describe($e), "\n";
    }
    echo '  server got: ', json_encode(sqauth_fake_server_finish($srv)), "\n";
}

run('closed at once', 'imap', [['close']]);
run('closed in the middle of the greeting line', 'imap', [['send', '* OK hel'], ['close']]);
run('closed in the middle of a POP3 greeting', 'pop3', [['send', '+OK hel'], ['close']]);
run('closed in the middle of an SMTP reply', 'smtp', [['send', "220-first\r\n220-sec"], ['close']]);
run('closed after the greeting, before CAPABILITY is answered', 'imap',
    [['send', "* OK hello\r\n"], ['expect', 'A0001 CAPABILITY'], ['close']]);
run('BYE instead of a CAPABILITY reply', 'imap',
    [['send', "* OK hello\r\n"], ['expect', 'A0001 CAPABILITY'], ['send', "* BYE going away\r\n"], ['close']]);
// implicit TLS (no CA needed: no handshake completes): closed without a handshake byte; a handshake
// that cannot complete is a TLS failure. A server that closes with our ClientHello unread makes its
// kernel answer it with a reset; one that read it ends in order (OpenSSL: "unexpected eof while
// reading"). Closing at once is either, by timing: all three are the same failure.
run('closed before the TLS handshake', 'imaps', [['close']], []);
run('closed before the TLS handshake, the ClientHello read (an orderly end)', 'imaps', [['read'], ['close']], []);
run('closed before the TLS handshake, the ClientHello unread (a reset)', 'imaps', [['sleep', 0.3], ['close']], []);
run('plaintext instead of a TLS handshake', 'imaps', [['send', "* OK not TLS\r\n"], ['close']], []);
?>
--EXPECT--
closed at once: SqAuth\ConnectionException (13): the server closed the connection
  server got: []
closed in the middle of the greeting line: SqAuth\ConnectionException (13): the server closed the connection
  server got: []
closed in the middle of a POP3 greeting: SqAuth\ConnectionException (13): the server closed the connection
  server got: []
closed in the middle of an SMTP reply: SqAuth\ConnectionException (13): the server closed the connection
  server got: []
closed after the greeting, before CAPABILITY is answered: SqAuth\ConnectionException (13): the server closed the connection
  server got: ["A0001 CAPABILITY"]
BYE instead of a CAPABILITY reply: SqAuth\ConnectionException (13): the IMAP server is closing the connection: * BYE going away
  server got: ["A0001 CAPABILITY"]
closed before the TLS handshake: SqAuth\TlsException (14): TLS handshake failed: the server closed the connection
  server got: []
closed before the TLS handshake, the ClientHello read (an orderly end): SqAuth\TlsException (14): TLS handshake failed: the server closed the connection
  server got: []
closed before the TLS handshake, the ClientHello unread (a reset): SqAuth\TlsException (14): TLS handshake failed: the server closed the connection
  server got: []
plaintext instead of a TLS handshake: SqAuth\TlsException (14): TLS handshake failed: wrong version number
  server got: []
