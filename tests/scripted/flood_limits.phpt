--TEST--
Floods: the transcript (each line and the whole cut and marked), the reply kept for errors and the greeting (8 KiB, marked), the capability list (512 and 128 KiB at most), against ~2,000 maximal lines; transcript() fits a small memory_limit
--EXTENSIONS--
sqauth
--INI--
memory_limit=16M
--FILE--
<?php
use SqAuth\Connection;
require __DIR__ . '/flood.inc';

echo "-- IMAP: 998 maximal untagged lines before CAPABILITY's OK and as many during AUTHENTICATE\n";
$big = sqauth_full_line('* ');
$srv = sqauth_fake_server([
    ['send', "* OK hi\r\n"], ['expect', 'A0001 CAPABILITY'],
    ['repeat', $big, 998], ['send', "* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nA0001 OK done\r\n"],
    ['expect', 'A0002 AUTHENTICATE PLAIN'],
    ['repeat', $big, 998], ['send', "A0002 NO [AUTHENTICATIONFAILED] no\r\n"],
    ['expect', 'A0003 LOGOUT'], ['send', "* BYE\r\nA0003 OK bye\r\n"],
]);
$c = Connection::open("imap://127.0.0.1:{$srv['port']}", ['tls' => 'none', 'timeout' => 10, 'transcript' => true]);
try {
    $c->authenticate('PLAIN', 'user', 'secret', ['allow_plaintext' => true]);
} catch (SqAuth\AuthenticationException $e) {
    echo sqauth_describe($e), "\n";
}
$t = $c->transcript();
echo count($t), " lines, ", array_sum(array_map('strlen', $t)), " bytes\n";
echo $t[0], "\n", $t[1], "\n";
echo strlen($t[2]), " bytes: ", substr($t[2], 0, 8), '...', substr($t[2], -32), "\n";
echo end($t), "\n";
var_dump($t[2] === $t[32], memory_get_peak_usage() < 8 << 20);
$c->close();
echo implode(', ', sqauth_fake_server_finish($srv)), "\n";

echo "-- SMTP: a greeting and a refusal of 1,000 maximal lines each\n";
$srv = sqauth_fake_server([
    ['repeat', sqauth_full_line('220-', 'g'), 999], ['send', "220 fake\r\n"],
    ['expect', 'EHLO '], ['send', "250-fake\r\n250 AUTH PLAIN\r\n"],
    ['expect', 'AUTH PLAIN'], ['repeat', sqauth_full_line('535-', 'r'), 999], ['send', "535 5.7.8 no\r\n"],
    ['expect', 'QUIT'], ['send', "221 bye\r\n"],
]);
$c = Connection::open("smtp://127.0.0.1:{$srv['port']}", ['tls' => 'none', 'timeout' => 10, 'transcript' => true]);
$g = $c->greeting();
echo "greeting(): ", strlen($g), " bytes: ", substr($g, 0, 8), '...', substr($g, -36), "\n";
try {
    $c->authenticate('PLAIN', 'user', 'secret', ['allow_plaintext' => true]);
} catch (SqAuth\AuthenticationException $e) {
    echo get_class($e), ": ", strlen($e->getMessage()), " bytes: ", substr($e->getMessage(), 0, 48), "...\n";
    $r = $e->getServerResponse();
    echo "getServerResponse(): ", strlen($r), " bytes: ", substr($r, 0, 8), '...', substr($r, -36), "\n";
    var_dump($e->getResponseCode());
}
$t = $c->transcript();
echo count($t), " transcript lines, the last: ", end($t), "\n";
$c->close();
sqauth_fake_server_finish($srv);

echo "-- SMTP: three maximal EHLO keywords (the capability bytes)\n";
$srv = sqauth_fake_server([
    ['send', "220 fake\r\n"], ['expect', 'EHLO '], ['send', "250-fake\r\n"],
    ['send', sqauth_full_line('250-X-A', 'a') . sqauth_full_line('250-X-B', 'b') . sqauth_full_line('250-X-C', 'c')],
    ['send', "250 8BITMIME\r\n"], ['hold', 10],
]);
try {
    Connection::open("smtp://127.0.0.1:{$srv['port']}", ['tls' => 'none', 'timeout' => 10]);
} catch (SqAuth\ProtocolException $e) {
    echo sqauth_describe($e), "\n";
}
sqauth_fake_server_finish($srv);

echo "-- POP3: 998 capabilities, 513 of them distinct\n";
$srv = sqauth_fake_server([
    ['send', "+OK hi\r\n"], ['expect', 'CAPA'], ['send', "+OK\r\n"],
    ['repeat', "X-CAP-{i}\r\n", 513], ['repeat', "USER\r\n", 485], ['send', ".\r\n"], ['hold', 10],
]);
try {
    Connection::open("pop3://127.0.0.1:{$srv['port']}", ['tls' => 'none', 'timeout' => 10]);
} catch (SqAuth\ProtocolException $e) {
    echo sqauth_describe($e), "\n";
    var_dump($e->getServerResponse());
}
sqauth_fake_server_finish($srv);
?>
--EXPECT--
-- IMAP: 998 maximal untagged lines before CAPABILITY's OK and as many during AUTHENTICATE
SqAuth\AuthenticationException (16): the server refused the PLAIN login: A0002 NO [AUTHENTICATIONFAILED] no
34 lines, 64483 bytes
S: * OK hi
C: A0001 CAPABILITY
2078 bytes: S: * xxx...xxxxx... [cut: 63488 more bytes]
-: [transcript cut: 1969 more lines]
bool(true)
bool(true)
A0001 CAPABILITY, A0002 AUTHENTICATE PLAIN, A0003 LOGOUT
-- SMTP: a greeting and a refusal of 1,000 maximal lines each
greeting(): 8222 bytes: 220-gggg...gggggg... [cut: 65463279 more bytes]
SqAuth\AuthenticationException: 196 bytes: the server refused the PLAIN login: 535-rrrrrrrr...
getServerResponse(): 8222 bytes: 535-rrrr...rrrrrr... [cut: 65463283 more bytes]
string(9) "535 5.7.8"
32 transcript lines, the last: -: [transcript cut: 1973 more lines]
-- SMTP: three maximal EHLO keywords (the capability bytes)
SqAuth\ProtocolException (15): the server's capabilities are longer than 131072 bytes
-- POP3: 998 capabilities, 513 of them distinct
SqAuth\ProtocolException (15): the server listed more than 512 capabilities
string(3) "+OK"