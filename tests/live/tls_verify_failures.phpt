--TEST--
TLS: certificate verification failures are TlsException with the verify result and OpenSSL errors
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
use SqAuth\Connection;
$env = require __DIR__ . '/env.inc';

$cases = [
    'expired' => ['IMAPS_EXPIRED', ['cafile' => $env['SQAUTH_TEST_CA']]],
    'self-signed' => ['IMAPS_SELFSIGNED', ['cafile' => $env['SQAUTH_TEST_CA']]],
    'unknown CA' => ['IMAPS_UNKNOWNCA', ['cafile' => $env['SQAUTH_TEST_CA']]],
    'wrong host' => ['IMAPS_WRONGHOST', ['cafile' => $env['SQAUTH_TEST_CA']]],
    // no option at all: verification is on by default (Horde_Imap_Client leaves it
    // off unless asked; tests/live/peer_verify_default.phpt covers every entry point).
    // The system store does not know the test CA: the leaf's issuer is not found
    'no cafile' => ['IMAPS', []],
];
foreach ($cases as $name => [$port, $options]) {
    echo "-- $name\n";
    try {
        Connection::open("imaps://localhost:{$env["SQAUTH_TEST_{$port}_PORT"]}", $options);
        echo "connected\n";
    } catch (SqAuth\TlsException $e) {
        echo sqauth_describe($e), "\n";
        $v = $e->getVerifyResult();
        echo "verify: {$v['code']} {$v['message']} depth {$v['depth']} {$v['subject']}\n";
        $errors = $e->getOpensslErrors();
        var_dump(count($errors) > 0);
        foreach ($errors as $err) {
            echo implode(',', array_keys($err)), "\n";
            echo "{$err['library']}: {$err['reason']} ({$err['library_code']}/{$err['reason_code']}) {$err['message']}\n";
            var_dump(is_int($err['code']));
        }
        var_dump($e->getAlert());
    }
}
?>
--EXPECT--
-- expired
SqAuth\TlsException (14): certificate verify failed: certificate has expired (depth 0); the server's certificate has expired: renew it on the server
verify: 10 certificate has expired depth 0 /O=sqauth tests/CN=localhost
bool(true)
code,library,library_code,reason,reason_code,message
SSL routines: certificate verify failed (20/134) error:0A000086:SSL routines::certificate verify failed
bool(true)
NULL
-- self-signed
SqAuth\TlsException (14): certificate verify failed: self-signed certificate (depth 0); pass the CA that signed the server's certificate as 'cafile' (or 'capath')
verify: 18 self-signed certificate depth 0 /O=sqauth tests/CN=localhost
bool(true)
code,library,library_code,reason,reason_code,message
SSL routines: certificate verify failed (20/134) error:0A000086:SSL routines::certificate verify failed
bool(true)
NULL
-- unknown CA
SqAuth\TlsException (14): certificate verify failed: unable to get local issuer certificate (depth 0); pass the CA that signed the server's certificate as 'cafile' (or 'capath')
verify: 20 unable to get local issuer certificate depth 0 /O=sqauth tests/CN=localhost
bool(true)
code,library,library_code,reason,reason_code,message
SSL routines: certificate verify failed (20/134) error:0A000086:SSL routines::certificate verify failed
bool(true)
NULL
-- wrong host
SqAuth\TlsException (14): certificate verify failed: hostname mismatch (depth 0); connect with a name the certificate lists, or set 'peer_name'
verify: 62 hostname mismatch depth 0 /O=sqauth tests/CN=wrong.example
bool(true)
code,library,library_code,reason,reason_code,message
SSL routines: certificate verify failed (20/134) error:0A000086:SSL routines::certificate verify failed
bool(true)
NULL
-- no cafile
SqAuth\TlsException (14): certificate verify failed: unable to get local issuer certificate (depth 0); pass the CA that signed the server's certificate as 'cafile' (or 'capath')
verify: 20 unable to get local issuer certificate depth 0 /O=sqauth tests/CN=localhost
bool(true)
code,library,library_code,reason,reason_code,message
SSL routines: certificate verify failed (20/134) error:0A000086:SSL routines::certificate verify failed
bool(true)
NULL
