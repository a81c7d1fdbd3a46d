--TEST--
TLS: an IPv4 literal host is verified against the certificate's IP SAN
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
use SqAuth\Connection;
$env = require __DIR__ . '/env.inc';
$ca = $env['SQAUTH_TEST_CA'];

foreach (['127.0.0.1', $env['SQAUTH_TEST_REMOTE_HOST']] as $ip) {
    $c = Connection::open("imaps://$ip:{$env['SQAUTH_TEST_IMAPS_PORT']}", ['cafile' => $ca]);
    echo "$ip: ", json_encode($c->tlsInfo()['verify']), "\n";
    $c->close();
}
// STARTTLS verifies the same way
$c = Connection::open("imap://127.0.0.1:{$env['SQAUTH_TEST_IMAP_PORT']}", ['cafile' => $ca]);
echo "imap:// 127.0.0.1: ", json_encode($c->tlsInfo()['verify']), "\n";
$c->close();

// an address the certificate does not list
try {
    Connection::open("imaps://127.0.0.1:{$env['SQAUTH_TEST_IMAPS_PORT']}", ['cafile' => $ca, 'peer_name' => '127.0.0.3']);
} catch (SqAuth\TlsException $e) {
    echo sqauth_describe($e), "\n";
    echo $e->getVerifyResult()['code'], "\n";
}
// the wrong-host certificate has no IP SAN at all
try {
    Connection::open("imaps://127.0.0.1:{$env['SQAUTH_TEST_IMAPS_WRONGHOST_PORT']}", ['cafile' => $ca]);
} catch (SqAuth\TlsException $e) {
    echo $e->getVerifyResult()['code'], ' ', $e->getVerifyResult()['message'], "\n";
}
?>
--EXPECT--
127.0.0.1: {"code":0,"message":"ok","verified":true}
127.0.0.2: {"code":0,"message":"ok","verified":true}
imap:// 127.0.0.1: {"code":0,"message":"ok","verified":true}
SqAuth\TlsException (14): certificate verify failed: IP address mismatch (depth 0); connect with a name the certificate lists, or set 'peer_name'
64
64 IP address mismatch
