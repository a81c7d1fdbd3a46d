--TEST--
TLS: one SSL_CTX per distinct option set, shared by the connections that use it
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
$env = require __DIR__ . '/env.inc';
$before = SqAuth\features()['tls_contexts'];
$uri = 'imaps://localhost:' . $env['SQAUTH_TEST_IMAPS_PORT'];
$a = ['cafile' => $env['SQAUTH_TEST_CA'], 'timeout' => 10];
for ($i = 0; $i < 3; $i++) {
    SqAuth\Connection::open($uri, $a)->close();
}
echo 'same options, 3 connections: +', SqAuth\features()['tls_contexts'] - $before, "\n";
// a timeout is not a TLS option: still the same context
SqAuth\Connection::open($uri, $a + ['transcript' => true])->close();
echo 'plus a non-TLS option: +', SqAuth\features()['tls_contexts'] - $before, "\n";
// a different TLS option set gets its own
SqAuth\Connection::open($uri, $a + ['min_protocol' => 'TLSv1.3'])->close();
SqAuth\Connection::open($uri, $a + ['min_protocol' => 'TLSv1.3'])->close();
echo 'another TLS option set: +', SqAuth\features()['tls_contexts'] - $before, "\n";
?>
--EXPECT--
same options, 3 connections: +1
plus a non-TLS option: +1
another TLS option set: +2
