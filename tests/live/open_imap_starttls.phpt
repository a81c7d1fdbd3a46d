--TEST--
Connection::open(): imap:// upgrades with STARTTLS, capabilities re-read after TLS
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
use SqAuth\Connection;
$env = require __DIR__ . '/env.inc';

$c = Connection::open("imap://localhost:{$env['SQAUTH_TEST_IMAP_PORT']}",
    ['cafile' => $env['SQAUTH_TEST_CA'], 'transcript' => true]);
var_dump($c->protocol(), $c->isEncrypted());
echo $c->greeting(), "\n";

$caps = $c->capabilities();
var_dump(array_is_list($caps), in_array('IMAP4rev1', $caps, true), in_array('AUTH=PLAIN', $caps, true));
// learnt in plaintext, discarded after the handshake
var_dump(in_array('STARTTLS', $caps, true));
var_dump($c->mechanisms());

// the plaintext greeting advertised STARTTLS; CAPABILITY is asked again under TLS
$t = $c->transcript();
var_dump(str_contains($t[0], ' STARTTLS '));
echo implode("\n", array_map(fn ($l) => strlen($l) > 60 ? substr($l, 0, 60) . '...' : $l, $t)), "\n";

$info = $c->tlsInfo();
echo $info['protocol'], ' ', $info['verify']['code'], "\n";
$c->close();
?>
--EXPECTF--
string(4) "imap"
bool(true)
* OK [CAPABILITY IMAP4rev1 %s STARTTLS %s] sqauth test dovecot (main) ready.
bool(true)
bool(true)
bool(true)
bool(false)
array(8) {
  [0]=>
  string(5) "PLAIN"
  [1]=>
  string(5) "LOGIN"
  [2]=>
  string(8) "CRAM-MD5"
  [3]=>
  string(10) "DIGEST-MD5"
  [4]=>
  string(11) "SCRAM-SHA-1"
  [5]=>
  string(13) "SCRAM-SHA-256"
  [6]=>
  string(7) "XOAUTH2"
  [7]=>
  string(11) "OAUTHBEARER"
}
bool(true)
S: * OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENA...
C: A0001 STARTTLS
S: A0001 OK %s
C: A0002 CAPABILITY
S: * CAPABILITY IMAP4rev1 %s
S: A0002 OK %s
TLSv1.%d 0
