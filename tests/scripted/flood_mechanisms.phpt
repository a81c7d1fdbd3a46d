--TEST--
Floods: mechanism lists as long as a line may be (EHLO AUTH, POP3 and ManageSieve SASL, IMAP AUTH= atoms): the first 64 distinct names kept, names over 20 characters or off RFC 4422's alphabet ignored, duplicates once; mechanisms(), authenticate('auto') and detect() answer at once
--EXTENSIONS--
sqauth
--FILE--
<?php
use SqAuth\Connection;
require __DIR__ . '/flood.inc';

function show_list(array $m): string
{
    return count($m) . ' [' . implode(' ', array_slice($m, 0, 3)) . ' ... ' . implode(' ', array_slice($m, -2)) . ']';
}

/* A maximal EHLO AUTH line of ~10,900 distinct words, with a name of 21
 * characters and one off the alphabet in front, SCRAM-SHA-256 after them. */
function ehlo_flood(?int &$words = null): array
{
    return array_merge(
        [['send', "220 fake ESMTP\r\n"], ['expect', 'EHLO '], ['send', "250-fake\r\n"]],
        sqauth_flood_line('250-AUTH SCRAM-SHA-256-PLUS-EXTRA-X PL.AIN cram-md5 PLAIN CRAM-MD5', ' M{i}', '', $words),
        [['send', "250-AUTH SCRAM-SHA-256\r\n250 8BITMIME\r\n"]]
    );
}

echo "-- SMTP: one maximal AUTH line\n";
$srv = sqauth_fake_server(array_merge(ehlo_flood($words), [
    ['expect', 'AUTH CRAM-MD5'], ['send', "535 5.7.8 no\r\n"], ['expect', 'QUIT'], ['send', "221 bye\r\n"],
]));
echo "words: ", $words > 10000 ? 'more than 10,000' : $words, "\n";
$c = Connection::open("smtp://127.0.0.1:{$srv['port']}", ['tls' => 'none', 'timeout' => 10]);
$m = $c->mechanisms();
echo "mechanisms(): ", show_list($m), "\n";
var_dump(in_array('SCRAM-SHA-256', $m, true), in_array('M61', $m, true), in_array('M62', $m, true));
echo "capabilities(): ", count($c->capabilities()), " keywords, the last AUTH: ", $c->capabilities()['AUTH'], "\n";
try {
    $c->authenticate('auto', 'user', 'secret');
} catch (SqAuth\AuthenticationException $e) {
    echo "authenticate('auto'): ", sqauth_describe($e), "\n";
}
$c->close();
var_dump(sqauth_fake_server_finish($srv));

echo "-- detect() on the same flood\n";
$srv = sqauth_fake_server(array_merge(ehlo_flood(), [['expect', 'QUIT'], ['send', "221 bye\r\n"]]));
$d = SqAuth\detect("smtp://127.0.0.1:{$srv['port']}", ['tls' => 'none', 'timeout' => 10]);
echo "detect(): ", show_list($d['mechanisms']), "\n";
sqauth_fake_server_finish($srv);

echo "-- POP3: a maximal SASL line of one name again and again\n";
$srv = sqauth_fake_server(array_merge(
    [['send', "+OK hi\r\n"], ['expect', 'CAPA'], ['send', "+OK\r\n"]],
    sqauth_flood_line('SASL', ' plain', ''),
    [['send', "USER\r\n.\r\n"], ['expect', 'AUTH PLAIN'], ['send', "-ERR [AUTH] no\r\n"],
     ['expect', 'QUIT'], ['send', "+OK bye\r\n"]]
));
$c = Connection::open("pop3://127.0.0.1:{$srv['port']}", ['tls' => 'none', 'timeout' => 10]);
echo "mechanisms(): ", json_encode($c->mechanisms()), "\n";
try {
    $c->authenticate('auto', 'user', 'secret', ['allow_plaintext' => true]);
} catch (SqAuth\AuthenticationException $e) {
    echo "authenticate('auto'): ", sqauth_describe($e), "\n";
}
$c->close();
sqauth_fake_server_finish($srv);

echo "-- ManageSieve: a maximal SASL string\n";
$srv = sqauth_fake_server(array_merge(
    sqauth_flood_line('"SASL" "DIGEST-MD5 CRAM-MD5', ' X{i}', '"'),
    [['send', "\"STARTTLS\"\r\nOK \"ready\"\r\n"], ['expect', 'LOGOUT'], ['send', "OK \"bye\"\r\n"]]
));
$c = Connection::open("sieve://127.0.0.1:{$srv['port']}", ['tls' => 'none', 'timeout' => 10]);
echo "mechanisms(): ", show_list($c->mechanisms()), "\n";
$c->close();
sqauth_fake_server_finish($srv);

echo "-- IMAP: AUTH=PLAIN 5,900 times in the greeting\n";
$srv = sqauth_fake_server(array_merge(
    sqauth_flood_line('* OK [CAPABILITY IMAP4rev1', ' AUTH=PLAIN', '] hi'),
    [['expect', 'A0001 LOGOUT'], ['send', "* BYE\r\nA0001 OK bye\r\n"]]
));
$c = Connection::open("imap://127.0.0.1:{$srv['port']}", ['tls' => 'none', 'timeout' => 10]);
echo "capabilities(): ", json_encode($c->capabilities()), "\n";
echo "mechanisms(): ", json_encode($c->mechanisms()), "\n";
$c->close();
sqauth_fake_server_finish($srv);

echo "-- IMAP: 6,500 distinct AUTH= atoms\n";
$srv = sqauth_fake_server(array_merge(
    sqauth_flood_line('* OK [CAPABILITY IMAP4rev1', ' AUTH=X{i}', '] hi'),
    [['hold', 10]]
));
try {
    Connection::open("imap://127.0.0.1:{$srv['port']}", ['tls' => 'none', 'timeout' => 10]);
} catch (SqAuth\ProtocolException $e) {
    echo sqauth_describe($e), "\n";
    echo "server response: ", strlen($e->getServerResponse()), " bytes, ending \"", substr($e->getServerResponse(), -32), "\"\n";
}
sqauth_fake_server_finish($srv);
?>
--EXPECT--
-- SMTP: one maximal AUTH line
words: more than 10,000
mechanisms(): 64 [CRAM-MD5 PLAIN M0 ... M60 M61]
bool(false)
bool(true)
bool(false)
capabilities(): 2 keywords, the last AUTH: SCRAM-SHA-256
authenticate('auto'): SqAuth\AuthenticationException (16): the server refused the CRAM-MD5 login: 535 5.7.8 no
array(3) {
  [0]=>
  string(16) "EHLO [127.0.0.1]"
  [1]=>
  string(13) "AUTH CRAM-MD5"
  [2]=>
  string(4) "QUIT"
}
-- detect() on the same flood
detect(): 64 [CRAM-MD5 PLAIN M0 ... M60 M61]
-- POP3: a maximal SASL line of one name again and again
mechanisms(): ["PLAIN"]
authenticate('auto'): SqAuth\AuthenticationException (16): the server refused the PLAIN login: -ERR [AUTH] no
-- ManageSieve: a maximal SASL string
mechanisms(): 64 [DIGEST-MD5 CRAM-MD5 X0 ... X60 X61]
-- IMAP: AUTH=PLAIN 5,900 times in the greeting
capabilities(): ["IMAP4rev1","AUTH=PLAIN"]
mechanisms(): ["PLAIN"]
-- IMAP: 6,500 distinct AUTH= atoms
SqAuth\ProtocolException (15): the server listed more than 512 capabilities
server response: 8219 bytes, ending "AUTH=... [cut: 57344 more bytes]"
