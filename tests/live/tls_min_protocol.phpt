--TEST--
TLS: a TLS 1.1-only server is refused by default; 'min_protocol' and 'ciphers' to reach it
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
use SqAuth\Connection;
$env = require __DIR__ . '/env.inc';
// the tls11 peer is `openssl s_server -rev` (not IMAP: it echoes each line reversed),
// TLS 1.0/1.1 only, @SECLEVEL=0
$uri = "imaps://localhost:{$env['SQAUTH_TEST_TLS11_PORT']}";
$ca = $env['SQAUTH_TEST_CA'];

function attempt(string $what, string $uri, array $o): void
{
    try {
        Connection::open($uri, $o + ['timeout' => 5]);
        echo "$what: connected\n";
    } catch (SqAuth\Exception $e) {
        echo "$what: ", sqauth_describe($e), "\n";
        if ($e instanceof SqAuth\TlsException) {
            echo '  alert=', var_export($e->getAlert(), true), ' verify=', var_export($e->getVerifyResult(), true),
                ' errors=', implode(' | ', array_column($e->getOpensslErrors(), 'reason')), "\n";
        } elseif ($e instanceof SqAuth\ProtocolException) {
            echo '  server said: ', var_export($e->getServerResponse(), true), "\n";
        }
    }
}

// default minimum TLS 1.2: our ClientHello says 1.2-1.3, the server answers alert 70
attempt('default', $uri, ['cafile' => $ca]);
attempt('ciphers only', $uri, ['cafile' => $ca, 'ciphers' => 'DEFAULT:@SECLEVEL=0']);
// TLS 1.1 allowed, but at OpenSSL 3's default security level 1 the server's
// SHA-1/MD5-SHA1 ServerKeyExchange signature is refused by our side
attempt('min_protocol TLSv1.1', $uri, ['cafile' => $ca, 'min_protocol' => 'TLSv1.1']);
// with @SECLEVEL=0 the handshake completes (TLSv1.1): 'greeting' => false makes us send
// CAPABILITY at once, and the peer's reversed echo of it, read through TLS, is no IMAP reply
attempt('min_protocol TLSv1.1 + SECLEVEL=0', $uri,
    ['cafile' => $ca, 'min_protocol' => 'TLSv1.1', 'ciphers' => 'DEFAULT:@SECLEVEL=0', 'greeting' => false]);
attempt('min_protocol TLSv1 + SECLEVEL=0', $uri,
    ['cafile' => $ca, 'min_protocol' => 'TLSv1', 'ciphers' => 'DEFAULT:@SECLEVEL=0', 'greeting' => false]);
// a TLS 1.2+ server with 'min_protocol' => 'TLSv1.3'
$c = Connection::open("imaps://localhost:{$env['SQAUTH_TEST_IMAPS_PORT']}", ['cafile' => $ca, 'min_protocol' => 'TLSv1.3']);
echo $c->tlsInfo()['protocol'], "\n";
?>
--EXPECT--
default: SqAuth\TlsException (14): TLS handshake failed: the server sent the alert "protocol version"; the server may only offer a TLS version below 'min_protocol'
  alert='protocol version' verify=NULL errors=tlsv1 alert protocol version
ciphers only: SqAuth\TlsException (14): TLS handshake failed: the server sent the alert "protocol version"; the server may only offer a TLS version below 'min_protocol'
  alert='protocol version' verify=NULL errors=tlsv1 alert protocol version
min_protocol TLSv1.1: SqAuth\TlsException (14): TLS handshake failed: legacy sigalg disallowed or unsupported
  alert=NULL verify=NULL errors=legacy sigalg disallowed or unsupported
min_protocol TLSv1.1 + SECLEVEL=0: SqAuth\ProtocolException (15): unexpected IMAP reply to CAPABILITY: YTILIBAPAC 1000A
  server said: 'YTILIBAPAC 1000A'
min_protocol TLSv1 + SECLEVEL=0: SqAuth\ProtocolException (15): unexpected IMAP reply to CAPABILITY: YTILIBAPAC 1000A
  server said: 'YTILIBAPAC 1000A'
TLSv1.3
