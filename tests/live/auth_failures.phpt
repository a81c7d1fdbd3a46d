--TEST--
Connection::authenticate(): wrong password and unknown user give AuthenticationException with the server's reply; no secret in the trace
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--INI--
zend.exception_ignore_args=0
--FILE--
<?php
use SqAuth\Connection;
use SqAuth\AuthenticationException;
$env = require __DIR__ . '/env.inc';

$opts = ['cafile' => $env['SQAUTH_TEST_CA'], 'transcript' => true];
$uris = [
    "imap://localhost:{$env['SQAUTH_TEST_IMAP_PORT']}",
    "pop3s://localhost:{$env['SQAUTH_TEST_POP3S_PORT']}",
    "submission://localhost:{$env['SQAUTH_TEST_SUBMISSION_PORT']}",
];
$secret = 'Wr0ng-S3cret-xyzzy';
$cases = [
    ['PLAIN', $env['SQAUTH_TEST_USER'], $secret],
    ['SCRAM-SHA-256', 'nosuchuser', $secret],
];
foreach ($uris as $uri) {
    foreach ($cases as [$mech, $user, $pass]) {
        $c = Connection::open($uri, $opts);
        try {
            $c->authenticate($mech, $user, $pass);
            echo "$uri $mech: no exception\n";
        } catch (AuthenticationException $e) {
            echo sqauth_describe($e), "\n";
            var_dump($e->getResponseCode(), $e->getServerResponse());
            $all = (string)$e . print_r($e, true) . var_export($e->getTrace(), true) . implode("\n", $c->transcript());
            var_dump(str_contains($all, $secret), str_contains($all, base64_encode("\0$user\0$secret")));
        }
        // the connection is still open and says so
        var_dump(in_array($c->protocol(), ['imap', 'pop3', 'smtp'], true));
    }
}
?>
--EXPECT--
SqAuth\AuthenticationException (16): the server refused the PLAIN login: A0003 NO [AUTHENTICATIONFAILED] Authentication failed.
string(20) "AUTHENTICATIONFAILED"
string(54) "A0003 NO [AUTHENTICATIONFAILED] Authentication failed."
bool(false)
bool(false)
bool(true)
SqAuth\AuthenticationException (16): the server refused the SCRAM-SHA-256 login: A0003 NO [AUTHENTICATIONFAILED] Authentication failed.
string(20) "AUTHENTICATIONFAILED"
string(54) "A0003 NO [AUTHENTICATIONFAILED] Authentication failed."
bool(false)
bool(false)
bool(true)
SqAuth\AuthenticationException (16): the server refused the PLAIN login: -ERR [AUTH] Authentication failed.
string(4) "AUTH"
string(34) "-ERR [AUTH] Authentication failed."
bool(false)
bool(false)
bool(true)
SqAuth\AuthenticationException (16): the server refused the SCRAM-SHA-256 login: -ERR [AUTH] Authentication failed.
string(4) "AUTH"
string(34) "-ERR [AUTH] Authentication failed."
bool(false)
bool(false)
bool(true)
SqAuth\AuthenticationException (16): the server refused the PLAIN login: 535 5.7.8 Authentication failed.
string(9) "535 5.7.8"
string(32) "535 5.7.8 Authentication failed."
bool(false)
bool(false)
bool(true)
SqAuth\AuthenticationException (16): the server refused the SCRAM-SHA-256 login: 535 5.7.8 Authentication failed.
string(9) "535 5.7.8"
string(32) "535 5.7.8 Authentication failed."
bool(false)
bool(false)
bool(true)
