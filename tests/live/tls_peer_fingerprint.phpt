--TEST--
TLS: 'peer_fingerprint' pins the server certificate's SHA-256
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
use SqAuth\Connection;
$env = require __DIR__ . '/env.inc';
$ca = $env['SQAUTH_TEST_CA'];
$uri = "imaps://localhost:{$env['SQAUTH_TEST_IMAPS_PORT']}";

function der_sha256(string $file): string
{
    preg_match('/-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----/s', file_get_contents($file), $m);
    return hash('sha256', base64_decode($m[1]));
}
$fp = der_sha256($env['SQAUTH_TEST_CERTS'] . '/server.pem');

foreach ([
    'lower hex' => $fp,
    'upper hex with colons' => strtoupper(implode(':', str_split($fp, 2))),
    'sha256: prefix' => "sha256:$fp",
] as $what => $pin) {
    $c = Connection::open($uri, ['cafile' => $ca, 'peer_fingerprint' => $pin]);
    echo "$what: ", var_export($c->tlsInfo()['peer_certificate']['sha256'] === $fp, true), "\n";
    $c->close();
}

// pinning alone, without a CA: the self-signed server
$self = "imaps://localhost:{$env['SQAUTH_TEST_IMAPS_SELFSIGNED_PORT']}";
$c = Connection::open($self, ['verify_peer' => false,
    'peer_fingerprint' => der_sha256($env['SQAUTH_TEST_CERTS'] . '/selfsigned.pem')]);
echo "self-signed pinned: ", var_export($c->isEncrypted(), true), "\n";
$c->close();

foreach ([
    'another certificate' => der_sha256($env['SQAUTH_TEST_CERTS'] . '/wronghost.pem'),
    'too short' => substr($fp, 0, 62),
    'too long' => $fp . '00',
] as $what => $pin) {
    try {
        Connection::open($uri, ['cafile' => $ca, 'peer_fingerprint' => $pin]);
        echo "$what: connected\n";
    } catch (SqAuth\TlsException $e) {
        echo "$what: ", str_replace($fp, '<sha256>', sqauth_describe($e)), "\n";
        var_dump($e->getVerifyResult(), $e->getAlert());
    }
}
?>
--EXPECT--
lower hex: true
upper hex with colons: true
sha256: prefix: true
self-signed pinned: true
another certificate: SqAuth\TlsException (14): the server's certificate does not match 'peer_fingerprint' (its sha256 is <sha256>)
NULL
NULL
too short: SqAuth\TlsException (14): the server's certificate does not match 'peer_fingerprint' (its sha256 is <sha256>)
NULL
NULL
too long: SqAuth\TlsException (14): the server's certificate does not match 'peer_fingerprint' (its sha256 is <sha256>)
NULL
NULL
