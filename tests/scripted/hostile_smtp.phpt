--TEST--
Hostile server: SMTP HELO fallback after a refused EHLO, and the 'helo' option
--EXTENSIONS--
sqauth
--FILE--
<?php
use SqAuth\Connection;
require __DIR__ . '/scripted.inc';

echo "-- EHLO refused, HELO accepted\n";
$srv = sqauth_fake_server([
    ['send', "220 old.example SMTP\r\n"],
    ['expect', 'EHLO '],
    ['send', "502 5.5.1 command not recognized\r\n"],
    ['expect', 'HELO '],
    ['send', "250 old.example\r\n"],
    ['expect', 'QUIT'],
    ['send', "221 bye\r\n"],
]);
$c = Connection::open("smtp://127.0.0.1:{$srv['port']}", ['tls' => 'none', 'transcript' => true, 'timeout' => 5]);
var_dump($c->greeting(), $c->capabilities(), $c->mechanisms());
echo implode("\n", $c->transcript()), "\n";
$c->close();
var_dump(sqauth_fake_server_finish($srv));

echo "-- EHLO and HELO refused\n";
$srv = sqauth_fake_server([
    ['send', "220 old.example SMTP\r\n"],
    ['expect', 'EHLO '], ['send', "502 no\r\n"],
    ['expect', 'HELO '], ['send', "550 not you\r\n"],
    ['drain', 5],
]);
try {
    Connection::open("smtp://127.0.0.1:{$srv['port']}", ['tls' => 'none', 'timeout' => 5]);
} catch (SqAuth\ProtocolException $e) {
    echo sqauth_describe($e), "\n";
    var_dump($e->getServerResponse());
}
sqauth_fake_server_finish($srv);

echo "-- 'helo' is sent as given; the pre-RFC 2554 AUTH= keyword\n";
$srv = sqauth_fake_server([
    ['send', "220 fake ESMTP\r\n"],
    ['expect', 'EHLO '],
    ['send', "250-fake greets you\r\n250-SIZE 10240000\r\n250-AUTH=LOGIN PLAIN\r\n250 8BITMIME\r\n"],
    ['expect', 'QUIT'],
    ['send', "221 bye\r\n"],
]);
$c = Connection::open("submission://127.0.0.1:{$srv['port']}",
    ['tls' => 'none', 'helo' => 'client.example.org', 'transcript' => true, 'timeout' => 5]);
var_dump($c->capabilities(), $c->mechanisms());
var_dump($c->transcript()[1]);
$c->close();
var_dump(sqauth_fake_server_finish($srv));

// an address literal is accepted too
$srv = sqauth_fake_server([['send', "220 fake\r\n"], ['expect', 'EHLO '], ['send', "250 fake\r\n"], ['drain', 5]]);
$c = Connection::open("smtp://127.0.0.1:{$srv['port']}", ['tls' => 'none', 'helo' => '[192.0.2.1]', 'timeout' => 5]);
$c->close();
var_dump(sqauth_fake_server_finish($srv));
?>
--EXPECT--
-- EHLO refused, HELO accepted
string(20) "220 old.example SMTP"
array(0) {
}
array(0) {
}
S: 220 old.example SMTP
C: EHLO [127.0.0.1]
S: 502 5.5.1 command not recognized
C: HELO [127.0.0.1]
S: 250 old.example
array(3) {
  [0]=>
  string(16) "EHLO [127.0.0.1]"
  [1]=>
  string(16) "HELO [127.0.0.1]"
  [2]=>
  string(4) "QUIT"
}
-- EHLO and HELO refused
SqAuth\ProtocolException (15): the SMTP server refused EHLO and HELO: 550 not you
string(11) "550 not you"
-- 'helo' is sent as given; the pre-RFC 2554 AUTH= keyword
array(3) {
  ["SIZE"]=>
  string(8) "10240000"
  ["AUTH=LOGIN"]=>
  string(5) "PLAIN"
  ["8BITMIME"]=>
  bool(true)
}
array(2) {
  [0]=>
  string(5) "LOGIN"
  [1]=>
  string(5) "PLAIN"
}
string(26) "C: EHLO client.example.org"
array(2) {
  [0]=>
  string(23) "EHLO client.example.org"
  [1]=>
  string(4) "QUIT"
}
array(2) {
  [0]=>
  string(16) "EHLO [192.0.2.1]"
  [1]=>
  string(4) "QUIT"
}
