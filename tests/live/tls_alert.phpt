--TEST--
TLS: an alert from the server in the middle of the handshake
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
use SqAuth\Connection;
$env = require __DIR__ . '/env.inc';
// TLS 1.2 only, wants a client certificate from a CA no test client has
$uri = "imaps://localhost:{$env['SQAUTH_TEST_TLS_ALERT_PORT']}";
$ca = $env['SQAUTH_TEST_CA'];

foreach ([
    'no certificate' => ['cafile' => $ca],
    'certificate from another CA' => ['cafile' => $ca,
        'local_cert' => $env['SQAUTH_TEST_CLIENT_CERT'], 'local_pk' => $env['SQAUTH_TEST_CLIENT_KEY']],
] as $what => $o) {
    try {
        Connection::open($uri, $o + ['timeout' => 5]);
        echo "$what: connected\n";
    } catch (SqAuth\TlsException $e) {
        echo "$what: ", sqauth_describe($e), "\n";
        var_dump($e->getAlert(), $e->getVerifyResult());
        foreach ($e->getOpensslErrors() as $err) {
            echo "  {$err['library']} / {$err['reason']}: {$err['message']}\n";
        }
    }
}
?>
--EXPECT--
no certificate: SqAuth\TlsException (14): TLS handshake failed: the server sent the alert "handshake failure"
string(17) "handshake failure"
NULL
  SSL routines / sslv3 alert handshake failure: error:0A000410:SSL routines::sslv3 alert handshake failure (SSL alert number 40)
certificate from another CA: SqAuth\TlsException (14): TLS handshake failed: the server sent the alert "unknown CA"
string(10) "unknown CA"
NULL
  SSL routines / tlsv1 alert unknown ca: error:0A000418:SSL routines::tlsv1 alert unknown ca (SSL alert number 48)
