--TEST--
Connection::fromStream(): adopt an fsockopen() stream, upgrade it with STARTTLS
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
use SqAuth\Connection;
$env = require __DIR__ . '/env.inc';
$ca = $env['SQAUTH_TEST_CA'];

echo "-- greeting read by sqauth\n";
$fp = fsockopen('127.0.0.1', $env['SQAUTH_TEST_IMAP_PORT']);
$c = Connection::fromStream($fp, 'imap', ['cafile' => $ca, 'peer_name' => 'localhost', 'transcript' => true]);
var_dump($c->protocol(), $c->isEncrypted(), str_starts_with($c->greeting(), '* OK '));
var_dump(in_array('STARTTLS', $c->capabilities(), true), $c->tlsInfo()['verify']['code']);
echo implode("\n", array_map(fn ($l) => substr($l, 0, 20), $c->transcript())), "\n";
$s = $c->stream();
fputs($s, "a1 NOOP\r\n");
echo fgets($s);
$c->close();
// the caller's stream stays open: it is the caller's to close
var_dump(is_resource($fp));
fclose($fp);

echo "-- greeting already read with fgets(): 'greeting' => false\n";
$fp = fsockopen('127.0.0.1', $env['SQAUTH_TEST_IMAP_PORT']);
var_dump(str_starts_with(fgets($fp), '* OK '));
$c = Connection::fromStream($fp, 'imap', ['cafile' => $ca, 'peer_name' => 'localhost', 'greeting' => false, 'transcript' => true]);
var_dump($c->isEncrypted(), $c->greeting());
echo implode("\n", array_map(fn ($l) => substr($l, 0, 20), $c->transcript())), "\n";
$s = $c->stream();
fputs($s, "a1 NOOP\r\n");
echo fgets($s);
$c->close();

echo "-- the same for POP3 and SMTP\n";
$fp = fsockopen('127.0.0.1', $env['SQAUTH_TEST_POP3_PORT']);
fgets($fp);
$c = Connection::fromStream($fp, 'pop3', ['cafile' => $ca, 'peer_name' => 'localhost', 'greeting' => false]);
var_dump($c->isEncrypted(), $c->mechanisms() !== []);
$c->close();
$fp = fsockopen('127.0.0.1', $env['SQAUTH_TEST_SUBMISSION_PORT']);
$c = Connection::fromStream($fp, 'submission', ['cafile' => $ca, 'peer_name' => 'localhost']);
var_dump($c->isEncrypted(), $c->capabilities()['AUTH']);
$c->close();

echo "-- plaintext adoption\n";
$fp = fsockopen('127.0.0.1', $env['SQAUTH_TEST_IMAP_PORT']);
$c = Connection::fromStream($fp, 'imap', ['tls' => 'none']);
var_dump($c->isEncrypted(), $c->tlsInfo(), in_array('STARTTLS', $c->capabilities(), true));
$c->close();

echo "-- argument errors\n";
foreach ([
    fn () => Connection::fromStream(fsockopen('127.0.0.1', $env['SQAUTH_TEST_IMAP_PORT']), 'imap', ['cafile' => $ca]),
    fn () => Connection::fromStream(fsockopen('127.0.0.1', $env['SQAUTH_TEST_IMAP_PORT']), 'imaps', []),
    fn () => Connection::fromStream(fopen('php://memory', 'r+'), 'imap', ['tls' => 'none']),
] as $f) {
    try {
        $f();
        echo "no exception\n";
    } catch (Throwable $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
}
// a wrong peer_name is checked like a host name
try {
    Connection::fromStream(fsockopen('127.0.0.1', $env['SQAUTH_TEST_IMAP_PORT']), 'imap', ['cafile' => $ca, 'peer_name' => 'wrong.example']);
} catch (SqAuth\TlsException $e) {
    echo sqauth_describe($e), "\n";
}
?>
--EXPECT--
-- greeting read by sqauth
string(4) "imap"
bool(true)
bool(true)
bool(false)
int(0)
S: * OK [CAPABILITY 
C: A0001 STARTTLS
S: A0001 OK Begin TL
C: A0002 CAPABILITY
S: * CAPABILITY IMAP
S: A0002 OK Pre-logi
a1 OK NOOP completed.
bool(true)
-- greeting already read with fgets(): 'greeting' => false
bool(true)
bool(true)
string(0) ""
C: A0001 CAPABILITY
S: * CAPABILITY IMAP
S: A0001 OK Pre-logi
C: A0002 STARTTLS
S: A0002 OK Begin TL
C: A0003 CAPABILITY
S: * CAPABILITY IMAP
S: A0003 OK Pre-logi
a1 OK NOOP completed.
-- the same for POP3 and SMTP
bool(true)
bool(true)
bool(true)
string(77) "PLAIN LOGIN CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1 SCRAM-SHA-256 XOAUTH2 OAUTHBEARER"
-- plaintext adoption
bool(false)
NULL
bool(true)
-- argument errors
ValueError: SqAuth\Connection::fromStream(): Argument #3 ($options) must give "peer_name" (the server's host name) to verify its certificate
ValueError: SqAuth\Connection::fromStream(): Argument #2 ($protocol) must be "imap", "pop3", "smtp", "submission" or "sieve"
TypeError: SqAuth\Connection::fromStream(): Argument #1 ($stream) must be a plaintext socket stream (from fsockopen() or stream_socket_client())
SqAuth\TlsException (14): certificate verify failed: hostname mismatch (depth 0); connect with a name the certificate lists, or set 'peer_name'
