--TEST--
ManageSieve (RFC 5804) against Dovecot's Pigeonhole: sieve:// with STARTTLS, every mechanism it offers, the stream after login, refusals, detect(), probeChallenge(), fromStream()
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
use SqAuth\Connection;
$env = require __DIR__ . '/env.inc';

$port = $env['SQAUTH_TEST_SIEVE_PORT'];
$u = $env['SQAUTH_TEST_USER'];
$p = $env['SQAUTH_TEST_PASS'];
$opts = ['cafile' => $env['SQAUTH_TEST_CA'], 'transcript' => true];
$uri = "sieve://localhost:$port";

echo "== detect\n";
$d = SqAuth\detect($uri, ['cafile' => $env['SQAUTH_TEST_CA']]);
echo $d['protocol'], ' ', $d['tls_mode'], ' starttls=', var_export($d['starttls'], true),
    ' login_disabled=', var_export($d['login_disabled'], true), ' verified=', var_export($d['tls']['verify']['verified'], true), "\n";
echo $d['greeting'], "\n";
// read again under TLS: no STARTTLS left
echo implode(' ', array_keys($d['capabilities'])), "\n";
echo $d['capabilities']['SASL'], "\n";
echo implode(' ', $d['mechanisms']), "\n";

echo "== every mechanism, then the stream\n";
foreach ($d['mechanisms'] as $mech) {
    $c = Connection::open($uri, $opts);
    $o = str_contains($mech, 'OAUTH') ? ['token' => $env['SQAUTH_TEST_OAUTH_TOKEN']] : [];
    $c->authenticate($mech, $u, $p, $o);
    $s = $c->stream();
    fwrite($s, "LISTSCRIPTS\r\n");
    echo "$mech: ", rtrim(fgets($s)), "\n";
    var_dump(str_contains(implode("\n", $c->transcript()), $p));
    $c->close();
}

echo "== framing\n";
$c = Connection::open($uri, $opts);
$n = count($c->transcript());
$c->authenticate('SCRAM-SHA-256', $u, $p);
echo implode("\n", array_map(fn ($l) => preg_replace('/^S: "[A-Za-z0-9+\/=]+"$/', 'S: "<challenge>"', $l),
    array_slice($c->transcript(), $n))), "\n";

echo "== refusals\n";
$c = Connection::open($uri, $opts);
try {
    $c->authenticate('PLAIN', $u, 'not-the-password');
} catch (SqAuth\AuthenticationException $e) {
    echo sqauth_describe($e), "\n";
    var_dump($e->getServerResponse(), $e->getResponseCode());
}
try {
    $c->authenticate('XOAUTH2', $u, '', ['token' => 'not-the-token']);
} catch (SqAuth\AuthenticationException $e) {
    echo sqauth_describe($e), "\n";
}
try {
    $c->login($u, $p);
} catch (SqAuth\Exception $e) {
    echo sqauth_describe($e), "\n";
}
echo 'probeChallenge(DIGEST-MD5): ', preg_replace('/nonce="[^"]*"/', 'nonce="..."', $c->probeChallenge('DIGEST-MD5')), "\n";
$c->authenticate('DIGEST-MD5', $u, $p);
echo "DIGEST-MD5 after the probe: ok\n";

echo "== in the clear, as a remote client\n";
$c = Connection::open("sieve://{$env['SQAUTH_TEST_REMOTE_HOST']}:$port", ['tls' => 'none', 'transcript' => true]);
echo implode(' ', $c->mechanisms()), "\n";
try {
    $c->authenticate('PLAIN', $u, $p, ['allow_plaintext' => true]);
} catch (SqAuth\SaslException $e) {
    echo sqauth_describe($e), "\n";
}
$c->authenticate('auto', $u, $p);
echo implode("\n", preg_grep('/AUTHENTICATE/', $c->transcript())), "\n";

echo "== fromStream\n";
$sock = fsockopen('127.0.0.1', $port, $errno, $errstr, 5);
$c = Connection::fromStream($sock, 'sieve', ['peer_name' => 'localhost', 'cafile' => $env['SQAUTH_TEST_CA']]);
echo $c->protocol(), ' encrypted=', var_export($c->isEncrypted(), true), "\n";
$c->authenticate('SCRAM-SHA-1', $u, $p);
echo "SCRAM-SHA-1 over an adopted socket: ok\n";
?>
--EXPECTF--
== detect
sieve starttls starttls=true login_disabled=false verified=true
OK "sqauth test dovecot (main) ready."
IMPLEMENTATION SIEVE NOTIFY SASL VERSION
PLAIN LOGIN CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1 SCRAM-SHA-256 XOAUTH2 OAUTHBEARER
PLAIN LOGIN CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1 SCRAM-SHA-256 XOAUTH2 OAUTHBEARER
== every mechanism, then the stream
PLAIN: OK "Listscripts completed."
bool(false)
LOGIN: OK "Listscripts completed."
bool(false)
CRAM-MD5: OK "Listscripts completed."
bool(false)
DIGEST-MD5: OK "Listscripts completed."
bool(false)
SCRAM-SHA-1: OK "Listscripts completed."
bool(false)
SCRAM-SHA-256: OK "Listscripts completed."
bool(false)
XOAUTH2: OK "Listscripts completed."
bool(false)
OAUTHBEARER: OK "Listscripts completed."
bool(false)
== framing
C: AUTHENTICATE "SCRAM-SHA-256" "<redacted>"
S: "<challenge>"
C: "<redacted>"
S: "<challenge>"
C: ""
S: OK "Logged in."
== refusals
SqAuth\AuthenticationException (16): the server refused the PLAIN login: NO "Authentication failed."
string(27) "NO "Authentication failed.""
NULL
SqAuth\AuthenticationException (16): the server refused the XOAUTH2 login: NO "Authentication failed." (OAuth error: {"status":"401","schemes":"bearer","scope":"mail"})
SqAuth\SaslException (6): sieve has no LOGIN command: use authenticate()
probeChallenge(DIGEST-MD5): realm="a.example",realm="b.example",nonce="...",qop="auth",charset="utf-8",algorithm="md5-sess"
DIGEST-MD5 after the probe: ok
== in the clear, as a remote client
CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1 SCRAM-SHA-256
SqAuth\SaslException (6): the server does not offer PLAIN (it offers CRAM-MD5, DIGEST-MD5, SCRAM-SHA-1, SCRAM-SHA-256)
C: AUTHENTICATE "SCRAM-SHA-256" "<redacted>"
== fromStream
sieve encrypted=true
SCRAM-SHA-1 over an adopted socket: ok
