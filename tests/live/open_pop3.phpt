--TEST--
Connection::open(): pop3:// (STLS) and pop3s://, CAPA as keyword => parameters
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
use SqAuth\Connection;
$env = require __DIR__ . '/env.inc';
$o = ['cafile' => $env['SQAUTH_TEST_CA'], 'transcript' => true];

echo "-- pop3:// STLS\n";
$c = Connection::open("pop3://localhost:{$env['SQAUTH_TEST_POP3_PORT']}", $o);
var_dump($c->protocol(), $c->isEncrypted(), $c->greeting());
$caps = $c->capabilities();
var_dump($caps['SASL'], $caps['USER'], isset($caps['STLS']));
echo implode(' ', $c->mechanisms()), "\n";
$t = $c->transcript();
// CAPA before STLS (it offered STLS), CAPA again after the handshake (without it)
$stls = array_search('C: STLS', $t, true);
var_dump($stls !== false, in_array('S: STLS', array_slice($t, 0, $stls), true));
var_dump(array_slice($t, $stls, 3));
var_dump(in_array('S: STLS', array_slice($t, $stls), true));
echo $c->tlsInfo()['verify']['code'], "\n";
$c->close();

echo "-- pop3s://\n";
$c = Connection::open("pop3s://localhost:{$env['SQAUTH_TEST_POP3S_PORT']}", $o);
var_dump($c->protocol(), $c->isEncrypted(), $c->greeting());
var_dump($c->capabilities()['SASL']);
var_dump($c->transcript()[1]);
$c->close();
?>
--EXPECT--
-- pop3:// STLS
string(4) "pop3"
bool(true)
string(37) "+OK sqauth test dovecot (main) ready."
string(77) "PLAIN LOGIN CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1 SCRAM-SHA-256 XOAUTH2 OAUTHBEARER"
bool(true)
bool(false)
PLAIN LOGIN CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1 SCRAM-SHA-256 XOAUTH2 OAUTHBEARER
bool(true)
bool(true)
array(3) {
  [0]=>
  string(7) "C: STLS"
  [1]=>
  string(33) "S: +OK Begin TLS negotiation now."
  [2]=>
  string(7) "C: CAPA"
}
bool(false)
0
-- pop3s://
string(4) "pop3"
bool(true)
string(37) "+OK sqauth test dovecot (main) ready."
string(77) "PLAIN LOGIN CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1 SCRAM-SHA-256 XOAUTH2 OAUTHBEARER"
string(7) "C: CAPA"
