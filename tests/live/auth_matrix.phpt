--TEST--
Connection::authenticate(): every Dovecot mechanism over IMAP, POP3 and submission, STARTTLS and implicit TLS
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
use SqAuth\Connection;
$env = require __DIR__ . '/env.inc';

$uris = [
    'imap' => "imap://localhost:{$env['SQAUTH_TEST_IMAP_PORT']}",
    'imaps' => "imaps://localhost:{$env['SQAUTH_TEST_IMAPS_PORT']}",
    'pop3' => "pop3://localhost:{$env['SQAUTH_TEST_POP3_PORT']}",
    'pop3s' => "pop3s://localhost:{$env['SQAUTH_TEST_POP3S_PORT']}",
    'submission' => "submission://localhost:{$env['SQAUTH_TEST_SUBMISSION_PORT']}",
    'submissions' => "submissions://localhost:{$env['SQAUTH_TEST_SUBMISSIONS_PORT']}",
];
$mechs = ['PLAIN', 'LOGIN', 'CRAM-MD5', 'DIGEST-MD5', 'SCRAM-SHA-1', 'SCRAM-SHA-256', 'auto'];
$opts = ['cafile' => $env['SQAUTH_TEST_CA'], 'transcript' => true];

printf("%-14s", '');
foreach ($uris as $name => $uri) {
    printf("%-12s", $name);
}
echo "\n";
$autoPicks = [];
foreach ($mechs as $mech) {
    printf("%-14s", $mech);
    foreach ($uris as $name => $uri) {
        try {
            $c = Connection::open($uri, $opts);
            $c->authenticate($mech, $env['SQAUTH_TEST_USER'], $env['SQAUTH_TEST_PASS']);
            $r = $c->isEncrypted() ? 'ok' : 'ok-PLAIN?';
            if ($mech === 'auto') {
                // which mechanism went on the wire
                foreach ($c->transcript() as $l) {
                    if (preg_match('/^C: (?:A\d+ AUTHENTICATE|AUTH) (\S+)/', $l, $m)) {
                        $autoPicks[$name] = $m[1];
                    }
                }
            }
            $c->close();
        } catch (SqAuth\Exception $e) {
            $r = 'FAIL';
            echo "\n", sqauth_describe($e), "\n";
        }
        printf("%-12s", $r);
    }
    echo "\n";
}
echo "auto picked: ", implode(' ', array_unique($autoPicks)), " (", count($autoPicks), ")\n";

// IMAP: capabilities() before and after login differ (post-login caps come with the OK)
$c = Connection::open($uris['imap'], $opts);
$before = $c->capabilities();
var_dump(in_array('AUTH=PLAIN', $before, true), in_array('NAMESPACE', $before, true));
$c->authenticate('SCRAM-SHA-256', $env['SQAUTH_TEST_USER'], $env['SQAUTH_TEST_PASS']);
$after = $c->capabilities();
var_dump(in_array('AUTH=PLAIN', $after, true), in_array('NAMESPACE', $after, true), in_array('IMAP4rev1', $after, true));
var_dump($c->mechanisms());
// already authenticated: a second authenticate() is refused before anything is sent
$n = count($c->transcript());
try {
    $c->authenticate('PLAIN', $env['SQAUTH_TEST_USER'], $env['SQAUTH_TEST_PASS']);
} catch (SqAuth\Exception $e) {
    echo sqauth_describe($e), "\n";
}
var_dump(count($c->transcript()) === $n);

// POP3: CAPA is asked again after login
$c = Connection::open($uris['pop3s'], $opts);
$c->authenticate('PLAIN', $env['SQAUTH_TEST_USER'], $env['SQAUTH_TEST_PASS']);
$caps = $c->capabilities();
var_dump(isset($caps['UIDL']), isset($caps['SASL']));
$t = $c->transcript();
$auth = array_search('C: AUTH PLAIN <redacted>', $t, true);
echo implode("\n", array_slice($t, $auth, 4)), "\n";
?>
--EXPECTF--
              imap        imaps       pop3        pop3s       submission  submissions 
PLAIN         ok          ok          ok          ok          ok          ok          
LOGIN         ok          ok          ok          ok          ok          ok          
CRAM-MD5      ok          ok          ok          ok          ok          ok          
DIGEST-MD5    ok          ok          ok          ok          ok          ok          
SCRAM-SHA-1   ok          ok          ok          ok          ok          ok          
SCRAM-SHA-256 ok          ok          ok          ok          ok          ok          
auto          ok          ok          ok          ok          ok          ok          
auto picked: SCRAM-SHA-256 (6)
bool(true)
bool(false)
bool(false)
bool(true)
bool(true)
array(0) {
}
SqAuth\ProtocolException (15): already authenticated on this connection
bool(true)
bool(true)
bool(false)
C: AUTH PLAIN <redacted>
S: +OK Logged in.
C: CAPA
S: +OK
