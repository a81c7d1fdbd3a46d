--TEST--
Connection::authenticate(): mechanism not offered or unknown (SaslException 6); a client-side failure mid-exchange is cancelled with "*" and the connection stays usable
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
use SqAuth\Connection;
$env = require __DIR__ . '/env.inc';

$opts = ['cafile' => $env['SQAUTH_TEST_CA'], 'transcript' => true];
foreach (["imap://localhost:{$env['SQAUTH_TEST_IMAP_PORT']}", "pop3://localhost:{$env['SQAUTH_TEST_POP3_PORT']}",
          "submissions://localhost:{$env['SQAUTH_TEST_SUBMISSIONS_PORT']}"] as $uri) {
    $c = Connection::open($uri, $opts);
    $n = count($c->transcript());
    foreach (['XOAUTH2', 'EXTERNAL', 'FOO'] as $mech) {
        try {
            $c->authenticate($mech, $env['SQAUTH_TEST_USER'], $env['SQAUTH_TEST_PASS']);
            echo "$mech: no exception\n";
        } catch (SqAuth\Exception $e) {
            echo sqauth_describe($e), "\n";
        }
    }
    // refused before anything went to the server
    var_dump(count($c->transcript()) === $n);

    // SCRAM: Dovecot asks for i=4096, we insist on more -> cancelled with "*"
    try {
        $c->authenticate('SCRAM-SHA-256', $env['SQAUTH_TEST_USER'], $env['SQAUTH_TEST_PASS'], ['min_iterations' => 100000]);
        echo "min_iterations: no exception\n";
    } catch (SqAuth\Exception $e) {
        echo sqauth_describe($e), "\n";
    }
    $t = array_slice($c->transcript(), $n);
    echo implode("\n", array_map(fn ($l) => preg_replace('/^(S: \+ |S: 334 ).*/', '$1<challenge>', $l), $t)), "\n";
    // the same connection still logs in
    $c->authenticate('SCRAM-SHA-256', $env['SQAUTH_TEST_USER'], $env['SQAUTH_TEST_PASS']);
    echo "then logged in\n\n";
}
?>
--EXPECTF--
SqAuth\SaslException (2): XOAUTH2 needs the credential 'token'
SqAuth\SaslException (6): the server does not offer EXTERNAL (it offers PLAIN, LOGIN, CRAM-MD5, DIGEST-MD5, SCRAM-SHA-1, SCRAM-SHA-256, XOAUTH2, OAUTHBEARER)
SqAuth\SaslException (6): unsupported SASL mechanism "FOO"
bool(true)
SqAuth\SaslException (9): SCRAM server asks for only 4096 PBKDF2 iterations, fewer than the minimum of 100000 (option 'min_iterations')
C: A0003 AUTHENTICATE SCRAM-SHA-256 <redacted>
S: + <challenge>
C: *
S: A0003 BAD Authentication aborted by client.
then logged in

SqAuth\SaslException (2): XOAUTH2 needs the credential 'token'
SqAuth\SaslException (6): the server does not offer EXTERNAL (it offers PLAIN, LOGIN, CRAM-MD5, DIGEST-MD5, SCRAM-SHA-1, SCRAM-SHA-256, XOAUTH2, OAUTHBEARER)
SqAuth\SaslException (6): unsupported SASL mechanism "FOO"
bool(true)
SqAuth\SaslException (9): SCRAM server asks for only 4096 PBKDF2 iterations, fewer than the minimum of 100000 (option 'min_iterations')
C: AUTH SCRAM-SHA-256 <redacted>
S: + <challenge>
C: *
S: -ERR Authentication aborted by client.
then logged in

SqAuth\SaslException (2): XOAUTH2 needs the credential 'token'
SqAuth\SaslException (6): the server does not offer EXTERNAL (it offers PLAIN, LOGIN, CRAM-MD5, DIGEST-MD5, SCRAM-SHA-1, SCRAM-SHA-256, XOAUTH2, OAUTHBEARER)
SqAuth\SaslException (6): unsupported SASL mechanism "FOO"
bool(true)
SqAuth\SaslException (9): SCRAM server asks for only 4096 PBKDF2 iterations, fewer than the minimum of 100000 (option 'min_iterations')
C: AUTH SCRAM-SHA-256 <redacted>
S: 334 <challenge>
C: *
S: 501 5.5.2 Authentication aborted by client.
then logged in

