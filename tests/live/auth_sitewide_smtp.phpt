--TEST--
Connection::open(['smtp_user', 'smtp_password']): the site-wide SMTP account replaces the caller's credentials and never shows
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--INI--
zend.exception_ignore_args=0
--FILE--
<?php
use SqAuth\Connection;
$env = require __DIR__ . '/env.inc';

$uri = "submission://localhost:{$env['SQAUTH_TEST_SUBMISSION_PORT']}";
$opts = ['cafile' => $env['SQAUTH_TEST_CA'], 'transcript' => true];

foreach (['PLAIN', 'SCRAM-SHA-256', 'auto'] as $mech) {
    $c = Connection::open($uri, $opts + ['smtp_user' => $env['SQAUTH_TEST_USER'], 'smtp_password' => $env['SQAUTH_TEST_PASS']]);
    $c->authenticate($mech, 'someoneelse', 'wrong');
    echo "$mech with the site-wide account: ok\n";
}
var_dump($c);
echo print_r($c, true), "\n";
var_dump(str_contains(var_export($c, true) . serialize((array)$c), $env['SQAUTH_TEST_PASS']));

// a wrong site-wide password: neither it nor the caller's shows anywhere
$site = 'S1te-Wide-Secret-42';
try {
    $c = Connection::open($uri, $opts + ['smtp_user' => $env['SQAUTH_TEST_USER'], 'smtp_password' => $site]);
    $c->authenticate('PLAIN', 'someoneelse', 'Caller-Secret-43');
} catch (SqAuth\AuthenticationException $e) {
    echo sqauth_describe($e), "\n";
    $all = (string)$e . print_r($e, true) . var_export($e->getTrace(), true) . implode("\n", $c->transcript());
    var_dump(str_contains($all, $site), str_contains($all, 'Caller-Secret-43'));
}
// ... and neither does it when open() itself fails
try {
    Connection::open("submission://localhost:1", $opts + ['smtp_user' => 'x', 'smtp_password' => $site]);
} catch (SqAuth\ConnectionException $e) {
    echo get_class($e), "\n";
    var_dump(str_contains((string)$e . var_export($e->getTrace(), true), $site));
}

// IMAP ignores the SMTP account: the caller's credentials are used
$c = Connection::open("imap://localhost:{$env['SQAUTH_TEST_IMAP_PORT']}",
    $opts + ['smtp_user' => 'nobody', 'smtp_password' => 'nothing']);
$c->authenticate('PLAIN', $env['SQAUTH_TEST_USER'], $env['SQAUTH_TEST_PASS']);
echo "IMAP with the caller's account: ok\n";
?>
--EXPECTF--
PLAIN with the site-wide account: ok
SCRAM-SHA-256 with the site-wide account: ok
auto with the site-wide account: ok
object(SqAuth\Connection)#%d (0) {
}
SqAuth\Connection Object
(
)

bool(false)
SqAuth\AuthenticationException (16): the server refused the PLAIN login: 535 5.7.8 Authentication failed.
bool(false)
bool(false)
SqAuth\ConnectionException
bool(false)
IMAP with the caller's account: ok
