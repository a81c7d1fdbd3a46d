--TEST--
Deadlines: 'timeout' bounds the whole call, not each read: servers that drip one byte every 0.4 s (then stall for 40 s) at every stage of IMAP, POP3, SMTP and ManageSieve (greeting, capabilities, STARTTLS reply, each SASL step, the final reply, LOGIN and USER/PASS, probeChallenge(), capabilities() after login) are cut at the 1.5 s deadline: ConnectionException 12
--EXTENSIONS--
sqauth
--SKIPIF--
<?php
// 29 child processes, all at once (about 3 s): under valgrind (run-tests -m
// traces the children too) each would start for seconds, and timing means
// nothing there. scripts/asan.sh runs it (ASan+LSan), and tests/core's
// deadline tests run under valgrind.
if (getenv('USE_ZEND_ALLOC') === '0' && getenv('SKIP_ASAN') === false) die('skip under valgrind: 29 child processes; scripts/asan.sh and tests/core cover it');
?>
--FILE--
<?php
use SqAuth\Connection;
require __DIR__ . '/deadline.inc';

/*
 * Each server answers quickly up to one stage, then sends that stage's
 * reply one byte every 0.4 s: each wait for a byte is far below the 1.5 s
 * 'timeout', so only a deadline for the whole call ends it. The replies
 * are long enough to last 40 s; a stall of 40 s follows.
 */
const T = 1.5;
const DRIP = 0.4;
$slow = fn(string $reply) => [['drip', $reply . str_repeat('x', 100) . "\r\n", DRIP], ['hold', 40]];
$o = ['tls' => 'none', 'timeout' => T];
$open = fn(string $scheme, array $extra = []) => function (int $port, callable $go) use ($scheme, $o, $extra) {
    $go();
    Connection::open("$scheme://127.0.0.1:$port", $extra + $o);
};
$starttls = fn(string $scheme) => function (int $port, callable $go) use ($scheme) {
    $go();
    Connection::open("$scheme://localhost:$port", ['timeout' => T]);
};
$auth = fn(string $scheme) => function (int $port, callable $go) use ($scheme, $o) {
    $c = Connection::open("$scheme://127.0.0.1:$port", $o);
    $go();
    $c->authenticate('LOGIN', 'user', 'secret', ['allow_plaintext' => true]);
};
$login = fn(string $scheme) => function (int $port, callable $go) use ($scheme, $o) {
    $c = Connection::open("$scheme://127.0.0.1:$port", $o);
    $go();
    $c->login('user', 'secret', ['allow_plaintext' => true]);
};
// LOGIN's two prompts, "Username:" and "Password:"
$user = 'VXNlcm5hbWU6';
$pass = 'UGFzc3dvcmQ6';

$imap = "* OK [CAPABILITY IMAP4rev1 AUTH=LOGIN AUTH=CRAM-MD5] fake\r\n";
$pop3 = [['send', "+OK fake\r\n"], ['expect', 'CAPA'], ['send', "+OK\r\nSASL LOGIN\r\nUSER\r\n.\r\n"]];
$smtp = [['send', "220 fake ESMTP\r\n"], ['expect', 'EHLO '], ['send', "250-fake\r\n250 AUTH LOGIN\r\n"]];
$sieve = "\"IMPLEMENTATION\" \"fake\"\r\n\"SASL\" \"LOGIN\"\r\nOK \"ready\"\r\n";

$cases = [
    'imap greeting' => ['steps' => $slow('* OK '), 'run' => $open('imap')],
    'imap CAPABILITY reply' => ['steps' => array_merge([['send', "* OK fake\r\n"], ['expect', 'A0001 CAPABILITY']],
        $slow('* CAPABILITY IMAP4rev1 AUTH=LOGIN ')), 'run' => $open('imap')],
    'imap STARTTLS reply' => ['steps' => array_merge([['send', "* OK [CAPABILITY IMAP4rev1 STARTTLS] fake\r\n"],
        ['expect', 'A0001 STARTTLS']], $slow('A0001 OK ')), 'run' => $starttls('imap')],
    'imap SASL step 1' => ['steps' => array_merge([['send', $imap], ['expect', 'A0001 AUTHENTICATE LOGIN']],
        $slow("+ $user")), 'run' => $auth('imap')],
    'imap SASL step 2' => ['steps' => array_merge([['send', $imap], ['expect', 'A0001 AUTHENTICATE LOGIN'],
        ['send', "+ $user\r\n"], ['expect', '']], $slow("+ $pass")), 'run' => $auth('imap')],
    'imap tagged result' => ['steps' => array_merge([['send', $imap], ['expect', 'A0001 AUTHENTICATE LOGIN'],
        ['send', "+ $user\r\n"], ['expect', ''], ['send', "+ $pass\r\n"], ['expect', '']], $slow('A0001 OK ')),
        'run' => $auth('imap')],
    'imap LOGIN reply' => ['steps' => array_merge([['send', $imap], ['expect', 'A0001 LOGIN']], $slow('A0001 OK ')),
        'run' => $login('imap')],
    'imap probeChallenge()' => ['steps' => array_merge([['send', $imap], ['expect', 'A0001 AUTHENTICATE CRAM-MD5']],
        $slow('+ ')), 'run' => function (int $port, callable $go) use ($o) {
            $c = Connection::open("imap://127.0.0.1:$port", $o);
            $go();
            $c->probeChallenge('CRAM-MD5');
        }],
    'imap capabilities() after login' => ['steps' => array_merge([['send', $imap], ['expect', 'A0001 LOGIN'],
        ['send', "A0001 OK done\r\n"], ['expect', 'A0002 CAPABILITY']], $slow('* CAPABILITY IMAP4rev1 ')),
        'run' => function (int $port, callable $go) use ($o) {
            $c = Connection::open("imap://127.0.0.1:$port", $o);
            $c->login('user', 'secret', ['allow_plaintext' => true]);
            $go();
            $c->capabilities();
        }],

    'pop3 greeting' => ['steps' => $slow('+OK '), 'run' => $open('pop3')],
    'pop3 CAPA reply' => ['steps' => array_merge([['send', "+OK fake\r\n"], ['expect', 'CAPA']],
        $slow("+OK\r\nSASL LOGIN\r\nX-")), 'run' => $open('pop3')],
    'pop3 STLS reply' => ['steps' => array_merge([['send', "+OK fake\r\n"], ['expect', 'CAPA'], ['send', "+OK\r\nSTLS\r\n.\r\n"],
        ['expect', 'STLS']], $slow('+OK ')), 'run' => $starttls('pop3')],
    'pop3 SASL step 1' => ['steps' => array_merge($pop3, [['expect', 'AUTH LOGIN']], $slow("+ $user")), 'run' => $auth('pop3')],
    'pop3 SASL step 2' => ['steps' => array_merge($pop3, [['expect', 'AUTH LOGIN'], ['send', "+ $user\r\n"], ['expect', '']],
        $slow("+ $pass")), 'run' => $auth('pop3')],
    'pop3 final reply' => ['steps' => array_merge($pop3, [['expect', 'AUTH LOGIN'], ['send', "+ $user\r\n"], ['expect', ''],
        ['send', "+ $pass\r\n"], ['expect', '']], $slow('+OK ')), 'run' => $auth('pop3')],
    'pop3 USER reply' => ['steps' => array_merge($pop3, [['expect', 'USER user']], $slow('+OK ')), 'run' => $login('pop3')],
    'pop3 PASS reply' => ['steps' => array_merge($pop3, [['expect', 'USER user'], ['send', "+OK\r\n"], ['expect', 'PASS ']],
        $slow('+OK ')), 'run' => $login('pop3')],

    'smtp greeting' => ['steps' => $slow('220 '), 'run' => $open('smtp')],
    'smtp EHLO reply' => ['steps' => array_merge([['send', "220 fake ESMTP\r\n"], ['expect', 'EHLO ']],
        $slow("250-fake\r\n250 X-")), 'run' => $open('smtp')],
    'smtp STARTTLS reply' => ['steps' => array_merge([['send', "220 fake ESMTP\r\n"], ['expect', 'EHLO '],
        ['send', "250-fake\r\n250 STARTTLS\r\n"], ['expect', 'STARTTLS']], $slow('220 ')), 'run' => $starttls('smtp')],
    'smtp SASL step 1' => ['steps' => array_merge($smtp, [['expect', 'AUTH LOGIN']], $slow("334 $user")), 'run' => $auth('smtp')],
    'smtp SASL step 2' => ['steps' => array_merge($smtp, [['expect', 'AUTH LOGIN'], ['send', "334 $user\r\n"], ['expect', '']],
        $slow("334 $pass")), 'run' => $auth('smtp')],
    'smtp final reply' => ['steps' => array_merge($smtp, [['expect', 'AUTH LOGIN'], ['send', "334 $user\r\n"], ['expect', ''],
        ['send', "334 $pass\r\n"], ['expect', '']], $slow('235 ')), 'run' => $auth('smtp')],

    // ManageSieve's greeting is its capability list
    'sieve greeting (capabilities)' => ['steps' => $slow("\"SASL\" \"LOGIN\"\r\n\"X-"), 'run' => $open('sieve')],
    'sieve STARTTLS reply' => ['steps' => array_merge([['send', "\"SASL\" \"LOGIN\"\r\n\"STARTTLS\"\r\nOK \"ready\"\r\n"],
        ['expect', 'STARTTLS']], $slow('OK "')), 'run' => $starttls('sieve')],
    'sieve SASL step 1' => ['steps' => array_merge([['send', $sieve], ['expect', 'AUTHENTICATE "LOGIN"']],
        $slow("\"$user\" ")), 'run' => $auth('sieve')],
    'sieve SASL step 2' => ['steps' => array_merge([['send', $sieve], ['expect', 'AUTHENTICATE "LOGIN"'],
        ['send', "\"$user\"\r\n"], ['expect', '"']], $slow("\"$pass\" ")), 'run' => $auth('sieve')],
    'sieve final reply' => ['steps' => array_merge([['send', $sieve], ['expect', 'AUTHENTICATE "LOGIN"'],
        ['send', "\"$user\"\r\n"], ['expect', '"'], ['send', "\"$pass\"\r\n"], ['expect', '"']], $slow('OK "')),
        'run' => $auth('sieve')],
];
sqauth_deadline_main(__FILE__, $cases);
?>
--EXPECT--
imap greeting: SqAuth\ConnectionException (12): timed out waiting for the server: the call's 'timeout' of 1.5 s has passed
  ended after the timeout and within timeout + 0.5 s: true
  server got: []
imap CAPABILITY reply: SqAuth\ConnectionException (12): timed out waiting for the server: the call's 'timeout' of 1.5 s has passed
  ended after the timeout and within timeout + 0.5 s: true
  server got: ["A0001 CAPABILITY"]
imap STARTTLS reply: SqAuth\ConnectionException (12): timed out waiting for the server: the call's 'timeout' of 1.5 s has passed
  ended after the timeout and within timeout + 0.5 s: true
  server got: ["A0001 STARTTLS"]
imap SASL step 1: SqAuth\ConnectionException (12): timed out waiting for the server: the call's 'timeout' of 1.5 s has passed
  ended after the timeout and within timeout + 0.5 s: true
  server got: ["A0001 AUTHENTICATE LOGIN"]
imap SASL step 2: SqAuth\ConnectionException (12): timed out waiting for the server: the call's 'timeout' of 1.5 s has passed
  ended after the timeout and within timeout + 0.5 s: true
  server got: ["A0001 AUTHENTICATE LOGIN","dXNlcg=="]
imap tagged result: SqAuth\ConnectionException (12): timed out waiting for the server: the call's 'timeout' of 1.5 s has passed
  ended after the timeout and within timeout + 0.5 s: true
  server got: ["A0001 AUTHENTICATE LOGIN","dXNlcg==","c2VjcmV0"]
imap LOGIN reply: SqAuth\ConnectionException (12): timed out waiting for the server: the call's 'timeout' of 1.5 s has passed
  ended after the timeout and within timeout + 0.5 s: true
  server got: ["A0001 LOGIN \"user\" \"secret\""]
imap probeChallenge(): SqAuth\ConnectionException (12): timed out waiting for the server: the call's 'timeout' of 1.5 s has passed
  ended after the timeout and within timeout + 0.5 s: true
  server got: ["A0001 AUTHENTICATE CRAM-MD5"]
imap capabilities() after login: SqAuth\ConnectionException (12): timed out waiting for the server: the call's 'timeout' of 1.5 s has passed
  ended after the timeout and within timeout + 0.5 s: true
  server got: ["A0001 LOGIN \"user\" \"secret\"","A0002 CAPABILITY"]
pop3 greeting: SqAuth\ConnectionException (12): timed out waiting for the server: the call's 'timeout' of 1.5 s has passed
  ended after the timeout and within timeout + 0.5 s: true
  server got: []
pop3 CAPA reply: SqAuth\ConnectionException (12): timed out waiting for the server: the call's 'timeout' of 1.5 s has passed
  ended after the timeout and within timeout + 0.5 s: true
  server got: ["CAPA"]
pop3 STLS reply: SqAuth\ConnectionException (12): timed out waiting for the server: the call's 'timeout' of 1.5 s has passed
  ended after the timeout and within timeout + 0.5 s: true
  server got: ["CAPA","STLS"]
pop3 SASL step 1: SqAuth\ConnectionException (12): timed out waiting for the server: the call's 'timeout' of 1.5 s has passed
  ended after the timeout and within timeout + 0.5 s: true
  server got: ["CAPA","AUTH LOGIN"]
pop3 SASL step 2: SqAuth\ConnectionException (12): timed out waiting for the server: the call's 'timeout' of 1.5 s has passed
  ended after the timeout and within timeout + 0.5 s: true
  server got: ["CAPA","AUTH LOGIN","dXNlcg=="]
pop3 final reply: SqAuth\ConnectionException (12): timed out waiting for the server: the call's 'timeout' of 1.5 s has passed
  ended after the timeout and within timeout + 0.5 s: true
  server got: ["CAPA","AUTH LOGIN","dXNlcg==","c2VjcmV0"]
pop3 USER reply: SqAuth\ConnectionException (12): timed out waiting for the server: the call's 'timeout' of 1.5 s has passed
  ended after the timeout and within timeout + 0.5 s: true
  server got: ["CAPA","USER user"]
pop3 PASS reply: SqAuth\ConnectionException (12): timed out waiting for the server: the call's 'timeout' of 1.5 s has passed
  ended after the timeout and within timeout + 0.5 s: true
  server got: ["CAPA","USER user","PASS secret"]
smtp greeting: SqAuth\ConnectionException (12): timed out waiting for the server: the call's 'timeout' of 1.5 s has passed
  ended after the timeout and within timeout + 0.5 s: true
  server got: []
smtp EHLO reply: SqAuth\ConnectionException (12): timed out waiting for the server: the call's 'timeout' of 1.5 s has passed
  ended after the timeout and within timeout + 0.5 s: true
  server got: ["EHLO [127.0.0.1]"]
smtp STARTTLS reply: SqAuth\ConnectionException (12): timed out waiting for the server: the call's 'timeout' of 1.5 s has passed
  ended after the timeout and within timeout + 0.5 s: true
  server got: ["EHLO [127.0.0.1]","STARTTLS"]
smtp SASL step 1: SqAuth\ConnectionException (12): timed out waiting for the server: the call's 'timeout' of 1.5 s has passed
  ended after the timeout and within timeout + 0.5 s: true
  server got: ["EHLO [127.0.0.1]","AUTH LOGIN"]
smtp SASL step 2: SqAuth\ConnectionException (12): timed out waiting for the server: the call's 'timeout' of 1.5 s has passed
  ended after the timeout and within timeout + 0.5 s: true
  server got: ["EHLO [127.0.0.1]","AUTH LOGIN","dXNlcg=="]
smtp final reply: SqAuth\ConnectionException (12): timed out waiting for the server: the call's 'timeout' of 1.5 s has passed
  ended after the timeout and within timeout + 0.5 s: true
  server got: ["EHLO [127.0.0.1]","AUTH LOGIN","dXNlcg==","c2VjcmV0"]
sieve greeting (capabilities): SqAuth\ConnectionException (12): timed out waiting for the server: the call's 'timeout' of 1.5 s has passed
  ended after the timeout and within timeout + 0.5 s: true
  server got: []
sieve STARTTLS reply: SqAuth\ConnectionException (12): timed out waiting for the server: the call's 'timeout' of 1.5 s has passed
  ended after the timeout and within timeout + 0.5 s: true
  server got: ["STARTTLS"]
sieve SASL step 1: SqAuth\ConnectionException (12): timed out waiting for the server: the call's 'timeout' of 1.5 s has passed
  ended after the timeout and within timeout + 0.5 s: true
  server got: ["AUTHENTICATE \"LOGIN\""]
sieve SASL step 2: SqAuth\ConnectionException (12): timed out waiting for the server: the call's 'timeout' of 1.5 s has passed
  ended after the timeout and within timeout + 0.5 s: true
  server got: ["AUTHENTICATE \"LOGIN\"","\"dXNlcg==\""]
sieve final reply: SqAuth\ConnectionException (12): timed out waiting for the server: the call's 'timeout' of 1.5 s has passed
  ended after the timeout and within timeout + 0.5 s: true
  server got: ["AUTHENTICATE \"LOGIN\"","\"dXNlcg==\"","\"c2VjcmV0\""]
