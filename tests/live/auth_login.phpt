--TEST--
Connection::login(): IMAP LOGIN (quoted strings, literals for UTF-8, LITERAL+) and POP3 USER/PASS against Dovecot and a scripted server
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
use SqAuth\Connection;
$env = require __DIR__ . '/env.inc';
require __DIR__ . '/fake_server.inc';

$opts = ['cafile' => $env['SQAUTH_TEST_CA'], 'transcript' => true];
function logins(array $t): array
{
    return array_values(preg_grep('/^C: (A\d+ LOGIN|USER|PASS|<literal>)/', $t));
}

echo "== Dovecot IMAP, ASCII\n";
$c = Connection::open("imaps://localhost:{$env['SQAUTH_TEST_IMAPS_PORT']}", $opts);
$c->login($env['SQAUTH_TEST_USER'], $env['SQAUTH_TEST_PASS']);
echo implode("\n", logins($c->transcript())), "\n";
var_dump(in_array('NAMESPACE', $c->capabilities(), true));

echo "== Dovecot IMAP, UTF-8 user and password (LITERAL+ offered)\n";
$c = Connection::open("imap://localhost:{$env['SQAUTH_TEST_IMAP_PORT']}", $opts);
var_dump(in_array('LITERAL+', $c->capabilities(), true));
$c->login($env['SQAUTH_TEST_UTF8_USER'], $env['SQAUTH_TEST_UTF8_PASS']);
$t = $c->transcript();
echo $t[array_key_first(preg_grep('/ LOGIN \{/', $t))], "\n";
var_dump(str_contains(implode("\n", $t), $env['SQAUTH_TEST_UTF8_PASS']));
$s = $c->stream();
fputs($s, "X1 NOOP\r\n");
echo fgets($s);

echo "== Dovecot IMAP, wrong password\n";
$c = Connection::open("imap://localhost:{$env['SQAUTH_TEST_IMAP_PORT']}", $opts);
try {
    $c->login($env['SQAUTH_TEST_USER'], 'not-the-password');
} catch (SqAuth\AuthenticationException $e) {
    echo sqauth_describe($e), "\n";
    var_dump($e->getResponseCode());
}

echo "== Dovecot POP3 USER/PASS\n";
$c = Connection::open("pop3://localhost:{$env['SQAUTH_TEST_POP3_PORT']}", $opts);
$c->login($env['SQAUTH_TEST_USER'], $env['SQAUTH_TEST_PASS']);
echo implode("\n", logins($c->transcript())), "\n";
$s = $c->stream();
fputs($s, "STAT\r\n");
echo preg_replace('/\d+ \d+/', 'N M', fgets($s));
$c = Connection::open("pop3s://localhost:{$env['SQAUTH_TEST_POP3S_PORT']}", $opts);
try {
    $c->login($env['SQAUTH_TEST_USER'], 'not-the-password');
} catch (SqAuth\AuthenticationException $e) {
    echo sqauth_describe($e), "\n";
    var_dump($e->getResponseCode());
}

echo "== scripted IMAP server: quoting\n";
$srv = sqauth_fake_server([
    ['send', "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] fake\r\n"],
    ['expect', 'A0001 LOGIN '],
    ['send', "A0001 OK done\r\n"],
    ['expect', 'A0002 CAPABILITY'],
    ['send', "* CAPABILITY IMAP4rev1 NAMESPACE\r\nA0002 OK done\r\n"],
    ['drain', 5],
]);
$c = Connection::open("imap://127.0.0.1:{$srv['port']}", ['tls' => 'none', 'transcript' => true]);
$c->login('we"ird\\user', 'pa"ss\\wo rd', ['allow_plaintext' => true]);
echo implode("\n", logins($c->transcript())), "\n";
var_dump($c->capabilities());
$c->close();
echo implode("\n", sqauth_fake_server_finish($srv)), "\n";

echo "== scripted IMAP server: synchronizing literals (no LITERAL+)\n";
$srv = sqauth_fake_server([
    ['send', "* OK [CAPABILITY IMAP4rev1] fake\r\n"],
    ['expect', 'A0001 LOGIN {'],
    ['send', "+ go ahead\r\n"],
    ['expect', ''],
    ['send', "+ go ahead\r\n"],
    ['expect', ''],
    ['send', "A0001 OK done\r\n"],
    ['drain', 5],
]);
$c = Connection::open("imap://127.0.0.1:{$srv['port']}", ['tls' => 'none', 'transcript' => true]);
$c->login('jürgen', "pä\"ss\\word", ['allow_plaintext' => true]);
var_dump(str_contains(implode("\n", $c->transcript()), 'ss\\word'));
$c->close();
echo implode("\n", sqauth_fake_server_finish($srv)), "\n";

echo "== scripted IMAP server: refuses the literal\n";
$srv = sqauth_fake_server([
    ['send', "* OK [CAPABILITY IMAP4rev1] fake\r\n"],
    ['expect', 'A0001 LOGIN '],
    ['send', "A0001 NO [AUTHENTICATIONFAILED] no literals today\r\n"],
    ['drain', 5],
]);
$c = Connection::open("imap://127.0.0.1:{$srv['port']}", ['tls' => 'none']);
try {
    $c->login('user', "pässword", ['allow_plaintext' => true]);
} catch (SqAuth\Exception $e) {
    echo sqauth_describe($e), "\n";
    // the refusal's response code is kept, as for any other refused login
    var_dump($e->getResponseCode());
}
$c->close();
echo implode("\n", sqauth_fake_server_finish($srv)), "\n";

echo "== scripted IMAP server: OK to the literal's announcement (half a command)\n";
$srv = sqauth_fake_server([
    ['send', "* OK [CAPABILITY IMAP4rev1] fake\r\n"],
    ['expect', 'A0001 LOGIN '],
    ['send', "A0001 OK LOGIN completed\r\n"],
    ['drain', 5],
]);
$c = Connection::open("imap://127.0.0.1:{$srv['port']}", ['tls' => 'none']);
try {
    $c->login('user', "pässword", ['allow_plaintext' => true]);
    echo "logged in?!\n";
} catch (SqAuth\Exception $e) {
    echo sqauth_describe($e), "\n";
}
$c->close();
echo implode("\n", sqauth_fake_server_finish($srv)), "\n";

echo "== scripted POP3 server without CAPA (RFC 1939 only): USER/PASS still tried\n";
$srv = sqauth_fake_server([
    ['send', "+OK old pop3\r\n"],
    ['expect', 'CAPA'],
    ['send', "-ERR unknown command\r\n"],
    ['expect', 'USER '],
    ['send', "+OK\r\n"],
    ['expect', 'PASS '],
    ['send', "+OK logged in\r\n"],
    ['drain', 5],
]);
$c = Connection::open("pop3://127.0.0.1:{$srv['port']}", ['tls' => 'none']);
$c->login('user', 'secret', ['allow_plaintext' => true]);
echo "logged in\n";
$c->close();
echo implode("\n", array_map(fn ($l) => str_starts_with($l, 'PASS ') ? 'PASS <not shown>' : $l,
                               sqauth_fake_server_finish($srv))), "\n";
?>
--EXPECTF--
== Dovecot IMAP, ASCII
C: A0001 LOGIN testuser <redacted>
bool(true)
== Dovecot IMAP, UTF-8 user and password (LITERAL+ offered)
bool(true)
C: A0003 LOGIN {7+}
bool(false)
X1 OK NOOP completed%s
== Dovecot IMAP, wrong password
SqAuth\AuthenticationException (16): the server refused the login: A0003 NO [AUTHENTICATIONFAILED] Authentication failed.
string(20) "AUTHENTICATIONFAILED"
== Dovecot POP3 USER/PASS
C: USER testuser
C: PASS <redacted>
+OK N M
SqAuth\AuthenticationException (16): the server refused the login: -ERR [AUTH] Authentication failed.
string(4) "AUTH"
== scripted IMAP server: quoting
C: A0001 LOGIN we"ird\user <redacted>
array(2) {
  [0]=>
  string(9) "IMAP4rev1"
  [1]=>
  string(9) "NAMESPACE"
}
A0001 LOGIN "we\"ird\\user" "pa\"ss\\wo rd"
A0002 CAPABILITY
A0003 LOGOUT
== scripted IMAP server: synchronizing literals (no LITERAL+)
bool(false)
A0001 LOGIN {7}
jürgen {11}
pä"ss\word
A0002 LOGOUT
== scripted IMAP server: refuses the literal
SqAuth\AuthenticationException (16): the server refused the login: A0001 NO [AUTHENTICATIONFAILED] no literals today
string(20) "AUTHENTICATIONFAILED"
A0001 LOGIN "user" {9}
A0002 LOGOUT
== scripted IMAP server: OK to the literal's announcement (half a command)
SqAuth\ProtocolException (15): the IMAP server accepted LOGIN before its password: A0001 OK LOGIN completed
A0001 LOGIN "user" {9}
== scripted POP3 server without CAPA (RFC 1939 only): USER/PASS still tried
logged in
CAPA
USER user
PASS <not shown>
QUIT
