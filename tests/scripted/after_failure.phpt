--TEST--
After a failure: one rule for every method. A failure that leaves the conversation in an unknown state (STARTTLS refused or its handshake failed, a timeout, the server closing) closes the connection for I/O: protocol(), greeting(), isEncrypted(), tlsInfo(), securityLayer() and transcript() keep answering, every method that talks to the server throws ConnectionException 13 naming the failure; a refused login or STARTTLS not offered leave it open
--EXTENSIONS--
sqauth
--SKIPIF--
<?php
// Six scripted servers, each a child PHP that valgrind traces (about 40 s there), and a 1 s
// timeout that a traced child can miss. scripts/asan.sh runs it (ASan+LSan), and tests/core's
// test_deadline.c checks the same rule under valgrind.
if (getenv('USE_ZEND_ALLOC') === '0' && getenv('SKIP_ASAN') === false) die('skip under valgrind: six traced child processes and a 1 s timeout; scripts/asan.sh and tests/core cover it');
?>
--FILE--
<?php
use SqAuth\Connection;
require __DIR__ . '/scripted.inc';

/* Every method once: its result, or the exception's class and code; then
 * the message of the first ConnectionException 13. */
function poke(Connection $c): void
{
    $calls = [
        'protocol' => fn() => $c->protocol(),
        'greeting' => fn() => $c->greeting(),
        'isEncrypted' => fn() => json_encode($c->isEncrypted()),
        'tlsInfo' => fn() => json_encode($c->tlsInfo()),
        'securityLayer' => fn() => json_encode($c->securityLayer()),
        'transcript' => fn() => count($c->transcript()) . ' lines',
        'capabilities' => fn() => implode(' ', $c->capabilities()),
        'mechanisms' => fn() => implode(' ', $c->mechanisms()),
        'probeChallenge' => fn() => json_encode($c->probeChallenge('PLAIN')),
        'startTls' => fn() => $c->startTls(),
        'authenticate' => fn() => $c->authenticate('PLAIN', 'user', 'secret', ['allow_plaintext' => true]),
        'login' => fn() => $c->login('user', 'secret', ['allow_plaintext' => true]),
        'stream' => fn() => get_resource_type($c->stream()),
    ];
    $out = [];
    $why = null;
    foreach ($calls as $name => $call) {
        try {
            $r = $call();
            $out[] = $r === null ? "$name ok" : "$name $r";
        } catch (SqAuth\Exception $e) {
            $out[] = "$name " . substr(strrchr(get_class($e), '\\'), 1) . '(' . $e->getCode() . ')';
            if ($why === null && $e->getCode() === 13) {
                $why = $e->getMessage();
            }
        }
    }
    echo '  then: ', implode(', ', $out), "\n";
    if ($why !== null) {
        echo "  why: $why\n";
    }
    $c->close();
    foreach (['protocol', 'transcript'] as $m) {
        try {
            $c->$m();
            echo "  after close(), $m: ok\n";
        } catch (SqAuth\Exception $e) {
            echo "  after close(), $m: ", sqauth_describe($e), "\n";
        }
    }
}

function run(string $what, array $steps, callable $fail): void
{
    $srv = sqauth_fake_server(array_merge($steps, [['drain', 5]]));
    $c = Connection::open("imap://localhost:{$srv['port']}", ['tls' => 'none', 'timeout' => 1, 'transcript' => true]);
    try {
        $fail($c);
        echo "$what: no failure\n";
    } catch (SqAuth\Exception $e) {
        echo "$what: ", sqauth_describe($e), "\n";
    }
    poke($c);
    unset($c);
    echo '  server got: ', json_encode(sqauth_fake_server_finish($srv)), "\n";
}

$greeting = "* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] fake\r\n";
$ok = fn(string $tag) => [['expect', ''], ['send', "$tag OK\r\n"]];

run('startTls() refused', [['send', $greeting], ['expect', 'A0001 STARTTLS'], ['send', "A0001 NO not today\r\n"]],
    fn($c) => $c->startTls());
run('startTls(), no TLS after the reply', [['send', $greeting], ['expect', 'A0001 STARTTLS'], ['send', "A0001 OK go\r\n"],
    ['read'], ['send', "* OK not TLS at all\r\n"]], fn($c) => $c->startTls());
run('authenticate(), no answer within the 1 s timeout', [['send', $greeting], ['expect', 'A0001 AUTHENTICATE PLAIN']],
    fn($c) => $c->authenticate('PLAIN', 'user', 'secret', ['allow_plaintext' => true]));
run('authenticate(), the server closes', [['send', $greeting], ['expect', 'A0001 AUTHENTICATE PLAIN'], ['close']],
    fn($c) => $c->authenticate('PLAIN', 'user', 'secret', ['allow_plaintext' => true]));

// The conversation is where it was: the connection stays open, and the
// server answers every call of poke(): the probe (cancelled), STARTTLS (not
// offered: nothing is sent), a login, then 'already authenticated'.
$plain = "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] fake\r\n";
$answers = fn(int $tag) => [
    ['expect', sprintf('A%04d AUTHENTICATE PLAIN', $tag)], ['send', "+ \r\n"], ['expect', '*'],
    ['send', sprintf("A%04d BAD cancelled\r\n", $tag)],
    ['expect', sprintf('A%04d AUTHENTICATE PLAIN', $tag + 1)], ['send', "+ \r\n"], ['expect', ''],
    ['send', sprintf("A%04d OK logged in\r\n", $tag + 1)],
];
run('authenticate() refused', array_merge([['send', $plain], ['expect', 'A0001 AUTHENTICATE PLAIN'], ['send', "+ \r\n"],
    ['expect', ''], ['send', "A0001 NO [AUTHENTICATIONFAILED] wrong\r\n"]], $answers(2)),
    fn($c) => $c->authenticate('PLAIN', 'user', 'secret', ['allow_plaintext' => true]));
run('startTls() not offered', array_merge([['send', $plain]], $answers(1)), fn($c) => $c->startTls());
?>
--EXPECT--
startTls() refused: SqAuth\ProtocolException (15): the IMAP server refused STARTTLS: A0001 NO not today
  then: protocol imap, greeting * OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] fake, isEncrypted false, tlsInfo null, securityLayer null, transcript 3 lines, capabilities ConnectionException(13), mechanisms ConnectionException(13), probeChallenge ConnectionException(13), startTls ConnectionException(13), authenticate ConnectionException(13), login ConnectionException(13), stream ConnectionException(13)
  why: the connection is closed after an earlier failure: the IMAP server refused STARTTLS: A0001 NO not today
  after close(), protocol: SqAuth\ConnectionException (13): the connection is closed
  after close(), transcript: SqAuth\ConnectionException (13): the connection is closed
  server got: ["A0001 STARTTLS"]
startTls(), no TLS after the reply: SqAuth\TlsException (14): TLS handshake failed: wrong version number
  then: protocol imap, greeting * OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] fake, isEncrypted false, tlsInfo null, securityLayer null, transcript 3 lines, capabilities ConnectionException(13), mechanisms ConnectionException(13), probeChallenge ConnectionException(13), startTls ConnectionException(13), authenticate ConnectionException(13), login ConnectionException(13), stream ConnectionException(13)
  why: the connection is closed after an earlier failure: TLS handshake failed: wrong version number
  after close(), protocol: SqAuth\ConnectionException (13): the connection is closed
  after close(), transcript: SqAuth\ConnectionException (13): the connection is closed
  server got: ["A0001 STARTTLS"]
authenticate(), no answer within the 1 s timeout: SqAuth\ConnectionException (12): timed out waiting for the server: the call's 'timeout' of 1 s has passed
  then: protocol imap, greeting * OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] fake, isEncrypted false, tlsInfo null, securityLayer null, transcript 2 lines, capabilities ConnectionException(13), mechanisms ConnectionException(13), probeChallenge ConnectionException(13), startTls ConnectionException(13), authenticate ConnectionException(13), login ConnectionException(13), stream ConnectionException(13)
  why: the connection is closed after an earlier failure: timed out waiting for the server: the call's 'timeout' of 1 s has passed
  after close(), protocol: SqAuth\ConnectionException (13): the connection is closed
  after close(), transcript: SqAuth\ConnectionException (13): the connection is closed
  server got: ["A0001 AUTHENTICATE PLAIN"]
authenticate(), the server closes: SqAuth\ConnectionException (13): the server closed the connection
  then: protocol imap, greeting * OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] fake, isEncrypted false, tlsInfo null, securityLayer null, transcript 2 lines, capabilities ConnectionException(13), mechanisms ConnectionException(13), probeChallenge ConnectionException(13), startTls ConnectionException(13), authenticate ConnectionException(13), login ConnectionException(13), stream ConnectionException(13)
  why: the connection is closed after an earlier failure: the server closed the connection
  after close(), protocol: SqAuth\ConnectionException (13): the connection is closed
  after close(), transcript: SqAuth\ConnectionException (13): the connection is closed
  server got: ["A0001 AUTHENTICATE PLAIN"]
authenticate() refused: SqAuth\AuthenticationException (16): the server refused the PLAIN login: A0001 NO [AUTHENTICATIONFAILED] wrong
  then: protocol imap, greeting * OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] fake, isEncrypted false, tlsInfo null, securityLayer null, transcript 5 lines, capabilities IMAP4rev1 AUTH=PLAIN, mechanisms PLAIN, probeChallenge "", startTls ProtocolException(15), authenticate ok, login ProtocolException(15), stream stream
  after close(), protocol: SqAuth\ConnectionException (13): the connection is closed
  after close(), transcript: SqAuth\ConnectionException (13): the connection is closed
  server got: ["A0001 AUTHENTICATE PLAIN","AHVzZXIAc2VjcmV0","A0002 AUTHENTICATE PLAIN","*","A0003 AUTHENTICATE PLAIN","AHVzZXIAc2VjcmV0","A0004 LOGOUT"]
startTls() not offered: SqAuth\ProtocolException (15): the server does not offer STARTTLS; refusing to continue without TLS (use implicit TLS, or 'tls' => 'none' to allow plaintext)
  then: protocol imap, greeting * OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] fake, isEncrypted false, tlsInfo null, securityLayer null, transcript 1 lines, capabilities IMAP4rev1 AUTH=PLAIN, mechanisms PLAIN, probeChallenge "", startTls ProtocolException(15), authenticate ok, login ProtocolException(15), stream stream
  after close(), protocol: SqAuth\ConnectionException (13): the connection is closed
  after close(), transcript: SqAuth\ConnectionException (13): the connection is closed
  server got: ["A0001 AUTHENTICATE PLAIN","*","A0002 AUTHENTICATE PLAIN","AHVzZXIAc2VjcmV0","A0003 LOGOUT"]
