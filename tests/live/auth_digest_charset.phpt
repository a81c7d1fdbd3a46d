--TEST--
DIGEST-MD5 with a non-ASCII Latin-1 user name against Dovecot: RFC 2831's hashing fails there, 'digest_charset' => 'utf-8' matches Dovecot's
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
use SqAuth\Connection;
$env = require __DIR__ . '/env.inc';
$uri = "imaps://localhost:{$env['SQAUTH_TEST_IMAPS_PORT']}";
$user = $env['SQAUTH_TEST_UTF8_USER'];   // jürgen: every character has an ISO-8859-1 form
$pass = $env['SQAUTH_TEST_UTF8_PASS'];   // pässword: likewise

foreach ([[], ['digest_charset' => 'rfc2831'], ['digest_charset' => 'utf-8']] as $o) {
    $c = Connection::open($uri, ['cafile' => $env['SQAUTH_TEST_CA']]);
    echo json_encode($o), ': ';
    try {
        $c->authenticate('DIGEST-MD5', $user, $pass, $o);
        echo "logged in, server verified\n";
    } catch (SqAuth\Exception $e) {
        echo sqauth_describe($e), "\n";
    }
    $c->close();
}

// the option only changes how names are hashed: a wrong password still fails
$c = Connection::open($uri, ['cafile' => $env['SQAUTH_TEST_CA']]);
try {
    $c->authenticate('DIGEST-MD5', $user, $pass . 'x', ['digest_charset' => 'utf-8']);
} catch (SqAuth\Exception $e) {
    echo sqauth_describe($e), "\n";
}
$c->close();

foreach (['latin1', 1] as $bad) {
    try {
        (new SqAuth\SaslClient('DIGEST-MD5', ['authcid' => 'u', 'password' => 'p'], ['digest_charset' => $bad]));
    } catch (ValueError $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
}
?>
--EXPECTF--
[]: SqAuth\AuthenticationException (16): the server refused the DIGEST-MD5 login: A0001 NO [AUTHENTICATIONFAILED] Authentication failed.
{"digest_charset":"rfc2831"}: SqAuth\AuthenticationException (16): the server refused the DIGEST-MD5 login: A0001 NO [AUTHENTICATIONFAILED] Authentication failed.
{"digest_charset":"utf-8"}: logged in, server verified
SqAuth\AuthenticationException (16): the server refused the DIGEST-MD5 login: A0001 NO [AUTHENTICATIONFAILED] Authentication failed.
ValueError: SqAuth\SaslClient::__construct(): Argument #3 ($options) key "digest_charset" must be "rfc2831" or "utf-8"
ValueError: SqAuth\SaslClient::__construct(): Argument #3 ($options) key "digest_charset" must be "rfc2831" or "utf-8"
