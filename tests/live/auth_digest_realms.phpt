--TEST--
Connection::authenticate('DIGEST-MD5'): Dovecot offers two realms; the first is the default, 'realm' picks another, an unoffered one is a SaslException
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
use SqAuth\Connection;
$env = require __DIR__ . '/env.inc';

// Two realms in one challenge: PEAR Auth_SASL sends realm="Array" there (see
// tests/digest_md5_realm.phpt for the exact responses); against the real
// server each realm logs in.
$opts = ['cafile' => $env['SQAUTH_TEST_CA'], 'transcript' => true];
foreach (["imap://localhost:{$env['SQAUTH_TEST_IMAP_PORT']}", "submission://localhost:{$env['SQAUTH_TEST_SUBMISSION_PORT']}"] as $uri) {
    echo "== ", parse_url($uri, PHP_URL_SCHEME), "\n";
    // default realm: the first one offered (a.example = Dovecot's default realm)
    $c = Connection::open($uri, $opts);
    $c->authenticate('DIGEST-MD5', $env['SQAUTH_TEST_USER'], $env['SQAUTH_TEST_PASS']);
    echo "testuser, default realm: ok\n";

    // the second realm, named
    $c = Connection::open($uri, $opts);
    $c->authenticate('DIGEST-MD5', $env['SQAUTH_TEST_REALM2_USER'], $env['SQAUTH_TEST_REALM2_PASS'], ['realm' => 'b.example']);
    echo "realmuser, realm b.example: ok\n";

    // realmuser without the realm lands in a.example: the server says no
    $c = Connection::open($uri, $opts);
    try {
        $c->authenticate('DIGEST-MD5', $env['SQAUTH_TEST_REALM2_USER'], $env['SQAUTH_TEST_REALM2_PASS']);
        echo "realmuser, default realm: no exception\n";
    } catch (SqAuth\Exception $e) {
        echo get_class($e), ' ', $e->getCode(), "\n";
    }

    // a realm the server does not offer: refused by the client, cancelled, connection usable
    $c = Connection::open($uri, $opts);
    try {
        $c->authenticate('DIGEST-MD5', $env['SQAUTH_TEST_REALM2_USER'], $env['SQAUTH_TEST_REALM2_PASS'], ['realm' => 'c.example']);
        echo "realm c.example: no exception\n";
    } catch (Throwable $e) {
        echo sqauth_describe($e), "\n";
    }
    $t = $c->transcript();
    echo implode("\n", array_filter($t, fn ($l) => $l === 'C: *')), "\n";
    $c->authenticate('DIGEST-MD5', $env['SQAUTH_TEST_REALM2_USER'], $env['SQAUTH_TEST_REALM2_PASS'], ['realm' => 'b.example']);
    echo "then realm b.example on the same connection: ok\n";
}
?>
--EXPECT--
== imap
testuser, default realm: ok
realmuser, realm b.example: ok
SqAuth\AuthenticationException 16
SqAuth\SaslException (2): DIGEST-MD5 realm "c.example" is not offered by the server (offered: "a.example", "b.example")
C: *
then realm b.example on the same connection: ok
== submission
testuser, default realm: ok
realmuser, realm b.example: ok
SqAuth\AuthenticationException 16
SqAuth\SaslException (2): DIGEST-MD5 realm "c.example" is not offered by the server (offered: "a.example", "b.example")
C: *
then realm b.example on the same connection: ok
