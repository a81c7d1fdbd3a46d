--TEST--
Connection::open(): submission:// (STARTTLS) and smtps:// (implicit), EHLO keywords => parameters
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
use SqAuth\Connection;
$env = require __DIR__ . '/env.inc';
$o = ['cafile' => $env['SQAUTH_TEST_CA'], 'transcript' => true];

echo "-- submission:// STARTTLS\n";
$c = Connection::open("submission://localhost:{$env['SQAUTH_TEST_SUBMISSION_PORT']}", $o);
var_dump($c->protocol(), $c->isEncrypted(), $c->greeting());
$caps = $c->capabilities();
var_dump($caps['AUTH'], $caps['SIZE'], $caps['PIPELINING'], isset($caps['STARTTLS']));
echo implode(' ', $c->mechanisms()), "\n";
$t = $c->transcript();
$st = array_search('C: STARTTLS', $t, true);
var_dump($st !== false, in_array('S: 250-STARTTLS', array_slice($t, 0, $st), true));
// a default HELO name: the address literal of our end (RFC 5321 4.1.3)
var_dump($t[1], array_slice($t, $st, 3));
var_dump((bool)preg_grep('/STARTTLS/', array_slice($t, $st + 2)));
$c->close();

echo "-- smtps:// implicit\n";
$c = Connection::open("smtps://localhost:{$env['SQAUTH_TEST_SUBMISSIONS_PORT']}", $o);
var_dump($c->protocol(), $c->isEncrypted(), $c->greeting());
$caps = $c->capabilities();
var_dump($caps['AUTH'], isset($caps['STARTTLS']));
var_dump($c->transcript()[1]);
echo $c->tlsInfo()['verify']['code'], "\n";
$c->close();
?>
--EXPECT--
-- submission:// STARTTLS
string(4) "smtp"
bool(true)
string(47) "220 localhost sqauth test dovecot (main) ready."
string(77) "PLAIN LOGIN CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1 SCRAM-SHA-256 XOAUTH2 OAUTHBEARER"
bool(true)
bool(true)
bool(false)
PLAIN LOGIN CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1 SCRAM-SHA-256 XOAUTH2 OAUTHBEARER
bool(true)
bool(true)
string(19) "C: EHLO [127.0.0.1]"
array(3) {
  [0]=>
  string(11) "C: STARTTLS"
  [1]=>
  string(39) "S: 220 2.0.0 Begin TLS negotiation now."
  [2]=>
  string(19) "C: EHLO [127.0.0.1]"
}
bool(false)
-- smtps:// implicit
string(4) "smtp"
bool(true)
string(47) "220 localhost sqauth test dovecot (main) ready."
string(77) "PLAIN LOGIN CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1 SCRAM-SHA-256 XOAUTH2 OAUTHBEARER"
bool(false)
string(19) "C: EHLO [127.0.0.1]"
0
