--TEST--
TLS: an IPv6 literal host ([::1]) is verified against the certificate's IP SAN
--EXTENSIONS--
sqauth
--SKIPIF--
<?php
require __DIR__ . '/skipif.inc';
// servers.sh listens on ::1 only when the kernel has IPv6 loopback (same test as there)
if (!preg_match('/^0{31}1 .* lo$/m', (string)@file_get_contents('/proc/net/if_inet6'))) {
    die('skip no IPv6 loopback: the servers do not listen on ::1');
}
?>
--FILE--
<?php
use SqAuth\Connection;
$env = require __DIR__ . '/env.inc';
$ca = $env['SQAUTH_TEST_CA'];

$c = Connection::open("imaps://[::1]:{$env['SQAUTH_TEST_IMAPS_PORT']}", ['cafile' => $ca]);
echo json_encode($c->tlsInfo()['verify']), "\n";
$c->close();
$c = Connection::open("submission://[::1]:{$env['SQAUTH_TEST_SUBMISSION_PORT']}", ['cafile' => $ca, 'transcript' => true]);
echo json_encode($c->tlsInfo()['verify']), "\n";
// the default EHLO name is the IPv6 address literal of our end
echo $c->transcript()[1], "\n";
$c->close();
try {
    Connection::open("imaps://[::1]:{$env['SQAUTH_TEST_IMAPS_WRONGHOST_PORT']}", ['cafile' => $ca]);
} catch (SqAuth\TlsException $e) {
    echo sqauth_describe($e), "\n";
}
?>
--EXPECT--
{"code":0,"message":"ok","verified":true}
{"code":0,"message":"ok","verified":true}
C: EHLO [IPv6:::1]
SqAuth\TlsException (14): certificate verify failed: IP address mismatch (depth 0); connect with a name the certificate lists, or set 'peer_name'
