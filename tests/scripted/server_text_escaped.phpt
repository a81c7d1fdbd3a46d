--TEST--
Server text in exception messages: control characters (CR, LF, ESC sequences, BEL, DEL, C1) and bytes that are not UTF-8 (stray, overlong, surrogate) shown as \xNN, valid UTF-8 as it is; getServerResponse() and serverError() keep the raw bytes (ProtocolException, AuthenticationException, ConnectionException, SaslException with SCRAM e= and OAuth JSON)
--EXTENSIONS--
sqauth
--FILE--
<?php
use SqAuth\Connection;
require __DIR__ . '/scripted.inc';

/* What a hostile server puts in its text: a terminal title and screen
 * clear, BEL, a CR (an LF ends the line; a multi-line reply below has
 * one), a stray byte, a C1 CSI, DEL, an overlong form, a UTF-16 surrogate,
 * a NEL; and a name that must stay readable. */
$evil = "j\xc3\xbcrgen \x1b]0;owned\x07\x1b[2J\rFAKE \x9b\xc2\x9b1m \x7f\xc0\xaf\xed\xa0\x80\xc2\x85 end";
$shown = 'jürgen \x1b]0;owned\x07\x1b[2J\x0dFAKE \x9b\xc2\x9b1m \x7f\xc0\xaf\xed\xa0\x80\xc2\x85 end';

/* A message is what a log or terminal gets: no control character, valid UTF-8. */
function check(Throwable $e, string $shown): void
{
    $m = $e->getMessage();
    echo get_class($e), ' (', $e->getCode(), ")\n";
    echo '  message escaped as documented: ', json_encode(str_ends_with($m, $shown)), "\n";
    echo '  no control character: ', json_encode(!preg_match('/[\x00-\x1f\x7f]|\xc2[\x80-\x9f]/', $m)),
         ', valid UTF-8: ', json_encode(preg_match('//u', $m) === 1), "\n";
    echo '  ', substr($m, 0, strlen($m) - strlen($shown)), "...\n";
}

echo "-- ProtocolException: a greeting\n";
$srv = sqauth_fake_server([['send', "* BYE $evil\r\n"], ['hold', 5]]);
try {
    Connection::open("imap://127.0.0.1:{$srv['port']}", ['tls' => 'none', 'timeout' => 5]);
} catch (SqAuth\ProtocolException $e) {
    check($e, $shown);
    echo '  getServerResponse() raw: ', json_encode($e->getServerResponse() === "* BYE $evil"), "\n";
}
sqauth_fake_server_finish($srv);

echo "-- ProtocolException: STARTTLS refused\n";
$srv = sqauth_fake_server([
    ['send', "+OK hi\r\n"], ['expect', 'CAPA'], ['send', "+OK\r\nSTLS\r\n.\r\n"],
    ['expect', 'STLS'], ['send', "-ERR $evil\r\n"], ['hold', 5],
]);
try {
    Connection::open("pop3://127.0.0.1:{$srv['port']}", ['timeout' => 5]);
} catch (SqAuth\ProtocolException $e) {
    check($e, $shown);
    echo '  getServerResponse() raw: ', json_encode($e->getServerResponse() === "-ERR $evil"), "\n";
}
sqauth_fake_server_finish($srv);

echo "-- AuthenticationException: a refused login, two lines\n";
$srv = sqauth_fake_server([
    ['send', "220 fake\r\n"], ['expect', 'EHLO '], ['send', "250-fake\r\n250 AUTH PLAIN\r\n"],
    ['expect', 'AUTH PLAIN'], ['send', "535-5.7.8 no\r\n535 5.7.8 $evil\r\n"], ['expect', 'QUIT'], ['send', "221 bye\r\n"],
]);
$c = Connection::open("smtp://127.0.0.1:{$srv['port']}", ['tls' => 'none', 'timeout' => 5]);
try {
    $c->authenticate('PLAIN', 'user', 'secret', ['allow_plaintext' => true]);
} catch (SqAuth\AuthenticationException $e) {
    check($e, $shown);
    echo '  getServerResponse() raw: ', json_encode($e->getServerResponse() === "535-5.7.8 no\n535 5.7.8 $evil"),
         ', getResponseCode(): ', $e->getResponseCode(), "\n";
}
$c->close();
sqauth_fake_server_finish($srv);

echo "-- AuthenticationException: an OAuth JSON error, then NO\n";
$json = "{\"status\":\"\x1b[31minvalid\x07\",\"scope\":\"j\xc3\xbcrgen\xff\"}";
$srv = sqauth_fake_server([
    ['send', "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=OAUTHBEARER] hi\r\n"],
    ['expect', 'A0001 AUTHENTICATE OAUTHBEARER '], ['send', '+ ' . base64_encode($json) . "\r\n"],
    ['expect', 'AQ=='], ['send', "A0001 NO [AUTHENTICATIONFAILED] no\r\n"],
    ['expect', 'A0002 LOGOUT'], ['send', "* BYE\r\nA0002 OK bye\r\n"],
]);
$c = Connection::open("imap://127.0.0.1:{$srv['port']}", ['tls' => 'none', 'timeout' => 5]);
try {
    $c->authenticate('OAUTHBEARER', 'user', '', ['token' => 'tok', 'allow_plaintext' => true]);
} catch (SqAuth\AuthenticationException $e) {
    check($e, '(OAuth error: {"status":"\x1b[31minvalid\x07","scope":"jürgen\xff"})');
}
$c->close();
sqauth_fake_server_finish($srv);

echo "-- SaslException: SCRAM e=\n";
$e_value = "bad \x1b[2J\x07\r\n j\xc3\xbcrgen \xc2\x9b";
$srv = sqauth_fake_server([
    ['send', "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=SCRAM-SHA-256] hi\r\n"],
    ['expect', 'A0001 AUTHENTICATE SCRAM-SHA-256 '], ['send', '+ ' . base64_encode("e=$e_value") . "\r\n"],
    ['expect', '*'], ['send', "A0001 NO cancelled\r\n"],
    ['expect', 'A0002 LOGOUT'], ['send', "* BYE\r\nA0002 OK bye\r\n"],
]);
$c = Connection::open("imap://127.0.0.1:{$srv['port']}", ['tls' => 'none', 'timeout' => 5]);
try {
    $c->authenticate('SCRAM-SHA-256', 'user', 'pencil');
} catch (SqAuth\SaslException $e) {
    check($e, 'SCRAM server error: bad \x1b[2J\x07\x0d\x0a jürgen \xc2\x9b');
}
$c->close();
sqauth_fake_server_finish($srv);
$s = new SqAuth\SaslClient('SCRAM-SHA-256', ['authcid' => 'user', 'password' => 'pencil']);
$s->start();
try {
    $s->step("e=$e_value");
} catch (SqAuth\SaslException $e) {
    check($e, 'SCRAM server error: bad \x1b[2J\x07\x0d\x0a jürgen \xc2\x9b');
    echo '  serverError() raw: ', json_encode($s->serverError() === $e_value), "\n";
}

echo "-- ConnectionException: BYE during a command\n";
$srv = sqauth_fake_server([
    ['send', "* OK hi\r\n"], ['expect', 'A0001 CAPABILITY'], ['send', "* BYE $evil\r\n"], ['hold', 5],
]);
try {
    Connection::open("imap://127.0.0.1:{$srv['port']}", ['tls' => 'none', 'timeout' => 5]);
} catch (SqAuth\ConnectionException $e) {
    check($e, $shown);
}
sqauth_fake_server_finish($srv);
?>
--EXPECT--
-- ProtocolException: a greeting
SqAuth\ProtocolException (15)
  message escaped as documented: true
  no control character: true, valid UTF-8: true
  the IMAP server refused the connection: * BYE ...
  getServerResponse() raw: true
-- ProtocolException: STARTTLS refused
SqAuth\ProtocolException (15)
  message escaped as documented: true
  no control character: true, valid UTF-8: true
  the POP3 server refused STLS: -ERR ...
  getServerResponse() raw: true
-- AuthenticationException: a refused login, two lines
SqAuth\AuthenticationException (16)
  message escaped as documented: true
  no control character: true, valid UTF-8: true
  the server refused the PLAIN login: 535-5.7.8 no\x0a535 5.7.8 ...
  getServerResponse() raw: true, getResponseCode(): 535 5.7.8
-- AuthenticationException: an OAuth JSON error, then NO
SqAuth\AuthenticationException (16)
  message escaped as documented: true
  no control character: true, valid UTF-8: true
  the server refused the OAUTHBEARER login: A0001 NO [AUTHENTICATIONFAILED] no ...
-- SaslException: SCRAM e=
SqAuth\SaslException (5)
  message escaped as documented: true
  no control character: true, valid UTF-8: true
  ...
SqAuth\SaslException (5)
  message escaped as documented: true
  no control character: true, valid UTF-8: true
  ...
  serverError() raw: true
-- ConnectionException: BYE during a command
SqAuth\ConnectionException (13)
  message escaped as documented: true
  no control character: true, valid UTF-8: true
  the IMAP server is closing the connection: * BYE ...
