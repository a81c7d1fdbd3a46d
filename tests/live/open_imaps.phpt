--TEST--
Connection::open(): imaps:// (implicit TLS) with 'cafile', tlsInfo()
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
use SqAuth\Connection;
$env = require __DIR__ . '/env.inc';

$c = Connection::open("imaps://localhost:{$env['SQAUTH_TEST_IMAPS_PORT']}",
    ['cafile' => $env['SQAUTH_TEST_CA'], 'transcript' => true]);
var_dump($c->protocol(), $c->isEncrypted());
echo $c->greeting(), "\n";
$caps = $c->capabilities();
var_dump(in_array('AUTH=PLAIN', $caps, true), in_array('STARTTLS', $caps, true));
// the greeting's [CAPABILITY] code is enough: no CAPABILITY command
var_dump(count($c->transcript()));

$info = $c->tlsInfo();
var_dump(array_keys($info), array_keys($info['peer_certificate']));
var_dump($info['protocol'], $info['bits'], $info['session_reused']);
var_dump($info['cipher'] !== '');
$pc = $info['peer_certificate'];
var_dump($pc['subject'], $pc['issuer'], $pc['san']);
var_dump((bool)preg_match('/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/', $pc['not_after']), strtotime($pc['not_after']) > time());

// the sha256 of the certificate file's DER
$pem = file_get_contents($env['SQAUTH_TEST_CERTS'] . '/server.pem');
preg_match('/-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----/s', $pem, $m);
var_dump($pc['sha256'] === hash('sha256', base64_decode($m[1])));
var_dump($info['verify']);
$c->close();
?>
--EXPECTF--
string(4) "imap"
bool(true)
* OK [CAPABILITY IMAP4rev1 %s] sqauth test dovecot (main) ready.
bool(true)
bool(false)
int(1)
array(6) {
  [0]=>
  string(8) "protocol"
  [1]=>
  string(6) "cipher"
  [2]=>
  string(4) "bits"
  [3]=>
  string(14) "session_reused"
  [4]=>
  string(16) "peer_certificate"
  [5]=>
  string(6) "verify"
}
array(5) {
  [0]=>
  string(7) "subject"
  [1]=>
  string(6) "issuer"
  [2]=>
  string(3) "san"
  [3]=>
  string(9) "not_after"
  [4]=>
  string(6) "sha256"
}
string(7) "TLSv1.3"
int(%d)
bool(false)
bool(true)
string(27) "CN=localhost,O=sqauth tests"
string(32) "CN=sqauth test CA,O=sqauth tests"
array(4) {
  [0]=>
  string(13) "DNS:localhost"
  [1]=>
  string(12) "IP:127.0.0.1"
  [2]=>
  string(6) "IP:::1"
  [3]=>
  string(12) "IP:127.0.0.2"
}
bool(true)
bool(true)
bool(true)
array(3) {
  ["code"]=>
  int(0)
  ["message"]=>
  string(2) "ok"
  ["verified"]=>
  bool(true)
}
