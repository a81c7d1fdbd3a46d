--TEST--
TLS: OpenSSL's error queue is drained: each TlsException lists only its own errors
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
use SqAuth\Connection;
$env = require __DIR__ . '/env.inc';
$ca = $env['SQAUTH_TEST_CA'];

function fail(string $uri, array $o): void
{
    try {
        Connection::open($uri, $o + ['timeout' => 5]);
        echo "connected\n";
    } catch (SqAuth\TlsException $e) {
        echo count($e->getOpensslErrors()), ': ', implode(' | ', array_column($e->getOpensslErrors(), 'reason')),
            ' / verify ', $e->getVerifyResult()['code'] ?? '-', ' / alert ', $e->getAlert() ?? '-', "\n";
    }
}
$port = fn (string $n) => $env["SQAUTH_TEST_{$n}_PORT"];

fail("imaps://localhost:{$port('IMAPS_SELFSIGNED')}", ['cafile' => $ca]);
fail("imaps://localhost:{$port('IMAPS_EXPIRED')}", ['cafile' => $ca]);
// a context that cannot be built (three errors), then a handshake failure (one)
fail("imaps://localhost:{$port('IMAPS')}", ['cafile' => '/nonexistent/ca.pem']);
fail("imaps://localhost:{$port('TLS11')}", ['cafile' => $ca]);
// a failure at the first read after the handshake
fail("imaps://localhost:{$port('TLS_CLIENTCERT')}", ['cafile' => $ca]);
fail("imaps://localhost:{$port('TLS_ALERT')}", ['cafile' => $ca]);

// a good connection after all that: nothing stale in its result
$c = Connection::open("imaps://localhost:{$port('IMAPS')}", ['cafile' => $ca]);
echo json_encode($c->tlsInfo()['verify']), "\n";
$s = $c->stream();
fwrite($s, "a1 NOOP\r\n");
echo fgets($s);
$c->close();
fail("imaps://localhost:{$port('IMAPS_WRONGHOST')}", ['cafile' => $ca]);
// and a plaintext connection is not bothered by TLS leftovers
$c = Connection::open("imap://localhost:{$port('IMAP')}", ['tls' => 'none']);
var_dump($c->isEncrypted());
?>
--EXPECT--
1: certificate verify failed / verify 18 / alert -
1: certificate verify failed / verify 10 / alert -
3: No such file or directory | no such file | system lib / verify - / alert -
1: tlsv1 alert protocol version / verify - / alert protocol version
1: tlsv13 alert certificate required / verify - / alert certificate required
1: sslv3 alert handshake failure / verify - / alert handshake failure
{"code":0,"message":"ok","verified":true}
a1 OK NOOP completed.
1: certificate verify failed / verify 62 / alert -
bool(false)
