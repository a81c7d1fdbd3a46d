--TEST--
DIGEST-MD5 auth-conf against a Cyrus server with maxbuf 4096: our buffers stay within it (maxbuf_send 4096), big writes are split and echo byte-exact
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
$env = require __DIR__ . '/env.inc';
require __DIR__ . '/layer.inc';

// (ssf 2..256: no auth-int on this instance)
foreach ([[], ['cipher' => '3des'], ['cipher' => 'des'], ['maxbuf' => 8192]] as $opts) {
    echo "== ", json_encode($opts), "\n";
    $c = layer_open($env, 'SMALLBUF');
    $c->authenticate('DIGEST-MD5', $env['SQAUTH_TEST_USER'], $env['SQAUTH_TEST_PASS'], $opts);
    echo json_encode($c->securityLayer()), "\n";
    $s = $c->stream();
    // one write of 300 KiB = 75 server-sized buffers, then sizes around the limit
    echo layer_echo($s, layer_data(300 * 1024, 'a'), [300 * 1024]), "\n";
    echo layer_echo($s, layer_data(40000, 'b'), [4071, 4072, 4096, 4097, 1, 8192]), "\n";
    echo layer_transfer($s), "\n";
    $c->close();
}
?>
--EXPECT--
== []
{"mechanism":"DIGEST-MD5","qop":"auth-conf","cipher":"rc4","maxbuf_send":4096,"maxbuf_receive":65536}
ok sent 307200, echoed 307200
ok sent 40000, echoed 40000
ok: all sent and echoed, byte-exact
== {"cipher":"3des"}
{"mechanism":"DIGEST-MD5","qop":"auth-conf","cipher":"3des","maxbuf_send":4096,"maxbuf_receive":65536}
ok sent 307200, echoed 307200
ok sent 40000, echoed 40000
ok: all sent and echoed, byte-exact
== {"cipher":"des"}
{"mechanism":"DIGEST-MD5","qop":"auth-conf","cipher":"des","maxbuf_send":4096,"maxbuf_receive":65536}
ok sent 307200, echoed 307200
ok sent 40000, echoed 40000
ok: all sent and echoed, byte-exact
== {"maxbuf":8192}
{"mechanism":"DIGEST-MD5","qop":"auth-conf","cipher":"rc4","maxbuf_send":4096,"maxbuf_receive":8192}
ok sent 307200, echoed 307200
ok sent 40000, echoed 40000
ok: all sent and echoed, byte-exact
