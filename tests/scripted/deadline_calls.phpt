--TEST--
Deadlines: a TLS handshake dripping one byte every 1.5 s (implicit and after STARTTLS), startTls(), fromStream()'s STARTTLS, detect() with slow probes, connect bounded by the earlier of 'connect_timeout' and 'timeout'; the stream after login keeps per-read timeouts
--EXTENSIONS--
sqauth
--SKIPIF--
<?php
// 11 child processes, all at once (about 4 s): under valgrind (run-tests -m
// traces the children too) timing means nothing. scripts/asan.sh runs it
// (ASan+LSan), and tests/core's deadline tests run under valgrind.
if (getenv('USE_ZEND_ALLOC') === '0' && getenv('SKIP_ASAN') === false) die('skip under valgrind: 11 child processes; scripts/asan.sh and tests/core cover it');
?>
--FILE--
<?php
use SqAuth\Connection;
require __DIR__ . '/deadline.inc';

// The start of a TLS 1.2 ServerHello record, which never completes.
$hello = base64_encode("\x16\x03\x03\x00\x7a\x02\x00\x00\x76\x03\x03" . str_repeat("\x5a", 40));
$starttls = [['send', "* OK [CAPABILITY IMAP4rev1 STARTTLS] fake\r\n"], ['expect', 'A0001 STARTTLS']];
$slow_ok = [['drip', 'A0001 OK ' . str_repeat('x', 100) . "\r\n", 0.4], ['hold', 40]];

/* A port whose connects hang: a listener with a backlog of 0 and one
 * connection nobody accepts fills its queue, and Linux drops further SYNs
 * (the client retries and waits). Returns [port, what to keep open]. */
function hanging_port(): array
{
    $l = stream_socket_server('tcp://127.0.0.1:0', $errno, $errstr, STREAM_SERVER_BIND | STREAM_SERVER_LISTEN,
        stream_context_create(['socket' => ['backlog' => 0]]));
    $name = stream_socket_get_name($l, false);
    $port = (int)substr($name, strrpos($name, ':') + 1);
    $fill = [];
    for ($i = 0; $i < 2; $i++) {
        $fill[] = stream_socket_client("tcp://127.0.0.1:$port", $errno, $errstr, 1,
            STREAM_CLIENT_CONNECT | STREAM_CLIENT_ASYNC_CONNECT);
    }
    return [$port, [$l, $fill]];
}

$cases = [
    'imaps: the TLS handshake, one byte every 1.5 s' => [
        'steps' => [['read'], ['drip64', $hello, 1.5], ['hold', 40]],
        'run' => function (int $port, callable $go) {
            $go();
            Connection::open("imaps://localhost:$port", ['timeout' => 2]);
        }],
    'imap: the handshake after STARTTLS, one byte every 1.5 s' => [
        'steps' => array_merge($starttls, [['send', "A0001 OK go\r\n"], ['read'], ['drip64', $hello, 1.5], ['hold', 40]]),
        'run' => function (int $port, callable $go) {
            $go();
            Connection::open("imap://localhost:$port", ['timeout' => 2]);
        }],
    'startTls(): the STARTTLS reply' => [
        'steps' => array_merge($starttls, $slow_ok),
        'run' => function (int $port, callable $go) {
            $c = Connection::open("imap://localhost:$port", ['tls' => 'none', 'timeout' => 1.5]);
            $go();
            $c->startTls();
        }],
    'fromStream(): the STARTTLS reply' => [
        'steps' => array_merge($starttls, $slow_ok),
        'run' => function (int $port, callable $go) {
            $s = fsockopen('127.0.0.1', $port, $errno, $errstr, 5);
            $go();
            Connection::fromStream($s, 'imap', ['peer_name' => 'localhost', 'timeout' => 1.5]);
        }],
    // each probe answered after 1 s: every wait is shorter than 'timeout',
    // the second probe ends past the deadline of the whole detect()
    'detect() with probes, each answered after 1 s' => [
        'steps' => array_merge([['send', "+OK fake\r\n"], ['expect', 'CAPA'], ['send', "+OK\r\nSASL PLAIN\r\n.\r\n"]],
            ...array_fill(0, 8, [['expect', 'AUTH '], ['sleep', 1], ['send', "+ \r\n"], ['expect', '*'], ['send', "-ERR cancelled\r\n"]])),
        'run' => function (int $port, callable $go) {
            $go();
            SqAuth\detect("pop3://127.0.0.1:$port", ['tls' => 'none', 'probe' => true, 'timeout' => 1.5]);
        }],
    // the server answers each probe at once but its answer to the cancel
    // comes late: the deadline passes in the cancel, of the first probe or
    // of the last one (when all the probes have their answer)
    'detect() with probes, the first cancel answered after 3 s' => [
        'steps' => array_merge([['send', "+OK fake\r\n"], ['expect', 'CAPA'], ['send', "+OK\r\nSASL PLAIN\r\n.\r\n"]],
            [['expect', 'AUTH '], ['send', "+ \r\n"], ['expect', '*'], ['sleep', 3], ['send', "-ERR cancelled\r\n"]]),
        'run' => function (int $port, callable $go) {
            $go();
            SqAuth\detect("pop3://127.0.0.1:$port", ['tls' => 'none', 'probe' => true, 'timeout' => 1.5]);
        }],
    'detect() with probes, the last cancel answered after 3 s' => [
        'steps' => array_merge([['send', "+OK fake\r\n"], ['expect', 'CAPA'], ['send', "+OK\r\nSASL PLAIN\r\n.\r\n"]],
            ...array_fill(0, 5, [['expect', 'AUTH '], ['send', "+ \r\n"], ['expect', '*'], ['send', "-ERR cancelled\r\n"]]),
            ...[[['expect', 'AUTH LOGIN'], ['send', "+ \r\n"], ['expect', '*'], ['sleep', 3], ['send', "-ERR cancelled\r\n"]]]),
        'run' => function (int $port, callable $go) {
            $go();
            return 'returned ' . json_encode(
                SqAuth\detect("pop3://127.0.0.1:$port", ['tls' => 'none', 'probe' => true, 'timeout' => 1.5])['probed']);
        }],
    'connect: connect_timeout 0.5 s, timeout 2 s' => [
        'steps' => null,
        'run' => function (int $port, callable $go) {
            [$port, $keep] = hanging_port();
            $go();
            Connection::open("imap://127.0.0.1:$port", ['tls' => 'none', 'connect_timeout' => 0.5, 'timeout' => 2]);
        }],
    'connect: connect_timeout 5 s, timeout 1 s' => [
        'steps' => null,
        'run' => function (int $port, callable $go) {
            [$port, $keep] = hanging_port();
            $go();
            Connection::open("imap://127.0.0.1:$port", ['tls' => 'none', 'connect_timeout' => 5, 'timeout' => 1]);
        }],
    // After login the stream is PHP's kind of stream: 'timeout' bounds each
    // read, not the line, so a line dripped over 3 s arrives whole; a read
    // that gets nothing for 1 s ends with timed_out, and the connection
    // goes on.
    'the stream after login: timeout 1 s per read' => [
        'steps' => [['send', "* OK [CAPABILITY IMAP4rev1] fake\r\n"], ['expect', 'A0001 LOGIN'], ['send', "A0001 OK\r\n"],
            ['expect', 'A0002 NOOP'], ['drip', "A0002 OK done\r\n", 0.2], ['expect', 'A0003 NOOP'], ['hold', 40]],
        'run' => function (int $port, callable $go) {
            $c = Connection::open("imap://127.0.0.1:$port", ['tls' => 'none', 'timeout' => 1]);
            $c->login('user', 'secret', ['allow_plaintext' => true]);
            $s = $c->stream();
            $go();
            fwrite($s, "A0002 NOOP\r\n");
            $t = microtime(true);
            $line = fgets($s);
            $first = microtime(true) - $t;
            fwrite($s, "A0003 NOOP\r\n");
            $t = microtime(true);
            $none = fgets($s);
            $second = microtime(true) - $t;
            return 'fgets ' . json_encode($line) . ' after more than 1 s: ' . json_encode($first > 1)
                . '; then fgets ' . json_encode($none) . ', timed_out ' . json_encode(stream_get_meta_data($s)['timed_out'])
                . ', after 1 s (within 1.5 s): ' . json_encode($second >= 0.99 && $second <= 1.5)
                . '; the connection not failed: sqauth_error ' . json_encode(stream_get_meta_data($s)['sqauth_error']);
        }],
];
sqauth_deadline_main(__FILE__, $cases);
?>
--EXPECT--
imaps: the TLS handshake, one byte every 1.5 s: SqAuth\ConnectionException (12): timed out during the TLS handshake: the call's 'timeout' of 2 s has passed
  ended after the timeout and within timeout + 0.5 s: true
  server got: []
imap: the handshake after STARTTLS, one byte every 1.5 s: SqAuth\ConnectionException (12): timed out during the TLS handshake: the call's 'timeout' of 2 s has passed
  ended after the timeout and within timeout + 0.5 s: true
  server got: ["A0001 STARTTLS"]
startTls(): the STARTTLS reply: SqAuth\ConnectionException (12): timed out waiting for the server: the call's 'timeout' of 1.5 s has passed
  ended after the timeout and within timeout + 0.5 s: true
  server got: ["A0001 STARTTLS"]
fromStream(): the STARTTLS reply: SqAuth\ConnectionException (12): timed out waiting for the server: the call's 'timeout' of 1.5 s has passed
  ended after the timeout and within timeout + 0.5 s: true
  server got: ["A0001 STARTTLS"]
detect() with probes, each answered after 1 s: SqAuth\ConnectionException (12): timed out waiting for the server: the call's 'timeout' of 1.5 s has passed
  ended after the timeout and within timeout + 0.5 s: true
  server got: ["CAPA","AUTH SCRAM-SHA-256","*","AUTH SCRAM-SHA-1","<eof>"]
detect() with probes, the first cancel answered after 3 s: SqAuth\ConnectionException (12): timed out waiting for the server: the call's 'timeout' of 1.5 s has passed
  ended after the timeout and within timeout + 0.5 s: true
  server got: ["CAPA","AUTH SCRAM-SHA-256","*"]
detect() with probes, the last cancel answered after 3 s: SqAuth\ConnectionException (12): timed out waiting for the server: the call's 'timeout' of 1.5 s has passed
  ended after the timeout and within timeout + 0.5 s: true
  server got: ["CAPA","AUTH SCRAM-SHA-256","*","AUTH SCRAM-SHA-1","*","AUTH DIGEST-MD5","*","AUTH CRAM-MD5","*","AUTH PLAIN","*","AUTH LOGIN","*"]
connect: connect_timeout 0.5 s, timeout 2 s: SqAuth\ConnectionException (12): timed out connecting to 127.0.0.1 port PORT: 'connect_timeout' of 0.5 s has passed
  ended after the timeout and within timeout + 0.5 s: true
connect: connect_timeout 5 s, timeout 1 s: SqAuth\ConnectionException (12): timed out connecting to 127.0.0.1 port PORT: the call's 'timeout' of 1 s has passed
  ended after the timeout and within timeout + 0.5 s: true
the stream after login: timeout 1 s per read: fgets "A0002 OK done\r\n" after more than 1 s: true; then fgets false, timed_out true, after 1 s (within 1.5 s): true; the connection not failed: sqauth_error null
  server got: ["A0001 LOGIN \"user\" \"secret\"","A0002 NOOP","A0003 NOOP"]
