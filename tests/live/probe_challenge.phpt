--TEST--
Connection::probeChallenge(): the server's first DIGEST-MD5 challenge, cancelled; the connection still authenticates; null when the server says NO
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
use SqAuth\Connection;
$env = require __DIR__ . '/env.inc';

$opts = ['cafile' => $env['SQAUTH_TEST_CA'], 'transcript' => true];
foreach (["imap://localhost:{$env['SQAUTH_TEST_IMAP_PORT']}", "pop3s://localhost:{$env['SQAUTH_TEST_POP3S_PORT']}",
          "submission://localhost:{$env['SQAUTH_TEST_SUBMISSION_PORT']}"] as $uri) {
    echo "== ", parse_url($uri, PHP_URL_SCHEME), "\n";
    $c = Connection::open($uri, $opts);
    $ch = $c->probeChallenge('DIGEST-MD5');
    echo preg_replace('/nonce="[^"]+"/', 'nonce="..."', $ch), "\n";
    var_dump(str_contains($ch, 'realm="a.example",realm="b.example"'));
    $p = SqAuth\digest_md5_parse_challenge(base64_encode($ch));
    echo implode(' ', $p['realm']), "\n";
    // CRAM-MD5 answers with its timestamp challenge; cancelled again
    var_dump($c->probeChallenge('CRAM-MD5') !== '');
    $c->authenticate('DIGEST-MD5', $env['SQAUTH_TEST_USER'], $env['SQAUTH_TEST_PASS']);
    echo "then authenticated\n";
}

echo "== a mechanism the server does not have\n";
$c = Connection::open("imap://localhost:{$env['SQAUTH_TEST_IMAP_PORT']}", $opts);
var_dump($c->probeChallenge('FOO'));
echo implode("\n", array_slice($c->transcript(), -2)), "\n";
try {
    $c->probeChallenge("PLAIN\r\nA1 LOGOUT");
} catch (Throwable $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
$c->authenticate('SCRAM-SHA-1', $env['SQAUTH_TEST_USER'], $env['SQAUTH_TEST_PASS']);
echo "then authenticated\n";
?>
--EXPECTF--
== imap
realm="a.example",realm="b.example",nonce="...",qop="auth",charset="utf-8",algorithm="md5-sess"
bool(true)
a.example b.example
bool(true)
then authenticated
== pop3s
realm="a.example",realm="b.example",nonce="...",qop="auth",charset="utf-8",algorithm="md5-sess"
bool(true)
a.example b.example
bool(true)
then authenticated
== submission
realm="a.example",realm="b.example",nonce="...",qop="auth",charset="utf-8",algorithm="md5-sess"
bool(true)
a.example b.example
bool(true)
then authenticated
== a mechanism the server does not have
NULL
C: A0003 AUTHENTICATE FOO
S: A0003 NO [ALERT] Unsupported authentication mechanism.
ValueError: not a SASL mechanism name
then authenticated
