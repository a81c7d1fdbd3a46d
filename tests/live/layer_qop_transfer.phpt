--TEST--
DIGEST-MD5 security layers against Cyrus SASL: qop auth (no layer) and auth-int, chosen and forced; 1 MiB each way (128 KiB under valgrind) through the stream, byte-exact
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
$env = require __DIR__ . '/env.inc';
require __DIR__ . '/layer.inc';

foreach ([
    // instance, options, what the negotiation must give
    ['AUTH', []],                          // offers only qop=auth: no layer, raw echo
    ['AUTHINT', []],                       // offers only auth-int
    ['ALL', ['qop' => ['auth-int']]],      // offers everything; the caller asks for auth-int only
    ['ALL', ['qop' => ['auth']]],          // ... or for no layer
    ['ALL', []],                           // the default preference without TLS: auth-conf (rc4, the highest SSF)
] as [$name, $opts]) {
    echo "== $name ", json_encode($opts), "\n";
    $c = layer_open($env, $name);
    var_dump($c->isEncrypted());
    $c->authenticate('DIGEST-MD5', $env['SQAUTH_TEST_USER'], $env['SQAUTH_TEST_PASS'], $opts);
    var_dump($c->securityLayer());
    $s = $c->stream();
    echo layer_transfer($s), "\n";
    var_dump(feof($s));
    $c->close();
}
?>
--EXPECT--
== AUTH []
bool(false)
NULL
ok: all sent and echoed, byte-exact
bool(false)
== AUTHINT []
bool(false)
array(5) {
  ["mechanism"]=>
  string(10) "DIGEST-MD5"
  ["qop"]=>
  string(8) "auth-int"
  ["cipher"]=>
  NULL
  ["maxbuf_send"]=>
  int(65536)
  ["maxbuf_receive"]=>
  int(65536)
}
ok: all sent and echoed, byte-exact
bool(false)
== ALL {"qop":["auth-int"]}
bool(false)
array(5) {
  ["mechanism"]=>
  string(10) "DIGEST-MD5"
  ["qop"]=>
  string(8) "auth-int"
  ["cipher"]=>
  NULL
  ["maxbuf_send"]=>
  int(65536)
  ["maxbuf_receive"]=>
  int(65536)
}
ok: all sent and echoed, byte-exact
bool(false)
== ALL {"qop":["auth"]}
bool(false)
NULL
ok: all sent and echoed, byte-exact
bool(false)
== ALL []
bool(false)
array(5) {
  ["mechanism"]=>
  string(10) "DIGEST-MD5"
  ["qop"]=>
  string(9) "auth-conf"
  ["cipher"]=>
  string(3) "rc4"
  ["maxbuf_send"]=>
  int(65536)
  ["maxbuf_receive"]=>
  int(65536)
}
ok: all sent and echoed, byte-exact
bool(false)
