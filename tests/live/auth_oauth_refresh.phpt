--TEST--
OAuth2 tokens that expire, against Dovecot's oauth2 passdb: 'token' as a callable; an expired token is refreshed once on the same connection (IMAP, POP3, submission, ManageSieve; OAUTHBEARER and XOAUTH2); the server's status when the fresh one fails too; a callable that throws on refresh; no token in transcript, message or trace (the rest: tests/scripted/auth_oauth_refresh.phpt)
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--INI--
zend.exception_ignore_args=0
--FILE--
<?php
/*
 * oauth2_introspect.php takes SQAUTH_TEST_OAUTH_EXPIRING_PREFIX followed by a Unix time as a
 * token that is active until then: $expired ran out long ago, $fresh lasts ten minutes.
 */
use SqAuth\Connection;
use SqAuth\AuthenticationException;
$env = require __DIR__ . '/env.inc';

$user = $env['SQAUTH_TEST_USER'];
$expired = $env['SQAUTH_TEST_OAUTH_EXPIRING_PREFIX'] . '1000000000';
$fresh = $env['SQAUTH_TEST_OAUTH_EXPIRING_PREFIX'] . (time() + 600);
$secrets = [$expired, $fresh];
$opts = ['cafile' => $env['SQAUTH_TEST_CA'], 'transcript' => true];
$uris = [
    'imap' => "imap://localhost:{$env['SQAUTH_TEST_IMAP_PORT']}",
    'pop3s' => "pop3s://localhost:{$env['SQAUTH_TEST_POP3S_PORT']}",
    'submission' => "submission://localhost:{$env['SQAUTH_TEST_SUBMISSION_PORT']}",
    'sieve' => "sieve://localhost:{$env['SQAUTH_TEST_SIEVE_PORT']}",
];

/* A token source that records how it was called: $tokens[0] first, then $tokens[1] on refresh. */
function source(array $tokens, array &$calls): Closure
{
    return function (bool $refresh) use ($tokens, &$calls) {
        $calls[] = $refresh;
        return $tokens[$refresh ? 1 : 0];
    };
}

/* The login lines of the transcript, and whether a token shows up anywhere. */
function logins(Connection $c): string
{
    return implode("\n", preg_grep('/^C: (A\d+ AUTHENTICATE|AUTH|AUTHENTICATE) /', $c->transcript()));
}
function leaks(Connection $c, ?Throwable $e): bool
{
    global $secrets;
    $all = implode("\n", $c->transcript());
    for (; $e; $e = $e->getPrevious()) {
        $all .= (string)$e . print_r($e, true) . var_export($e->getTrace(), true);
    }
    foreach ($secrets as $t) {
        foreach ([$t, base64_encode($t), base64_encode("auth=Bearer $t")] as $needle) {
            if (str_contains($all, $needle)) {
                return true;
            }
        }
    }
    return false;
}
function describe(Throwable $e): string
{
    return get_class($e) . ' (' . $e->getCode() . '): ' . $e->getMessage();
}

/* Every protocol takes a second AUTHENTICATE after the refusal; each mechanism's status. (A
 * refused login costs Dovecot about half a second, so the matrix is not complete.) */
foreach ([['OAUTHBEARER', 'imap'], ['XOAUTH2', 'pop3s'], ['OAUTHBEARER', 'submission'], ['XOAUTH2', 'sieve']] as [$mech, $name]) {
    echo "== $mech $name: the expired token is refreshed once\n";
    $calls = [];
    $c = Connection::open($uris[$name], $opts);
    $c->authenticate($mech, $user, '', ['token' => source([$expired, $fresh], $calls)]);
    var_dump($calls);
    echo logins($c), "\n";
    $t = $c->transcript();
    echo preg_replace('/ \[CAPABILITY [^]]*\]/', ' [CAPABILITY ...]', end($t)), "\n";
    var_dump(leaks($c, null));
    $c->close();
}
foreach ([['OAUTHBEARER', 'imap']] as [$mech, $name]) {
    echo "== $mech $name: the fresh token is refused too\n";
    $calls = [];
    $c = Connection::open($uris[$name], $opts);
    try {
        $c->authenticate($mech, $user, '', ['token' => source([$expired, $expired], $calls)]);
        echo "no exception\n";
    } catch (AuthenticationException $e) {
        echo describe($e), "\n";
        var_dump($e->getResponseCode(), count($calls), leaks($c, $e));
    }
    echo logins($c), "\n";
    // the connection stays usable: a good token logs in
    $c->authenticate($mech, $user, '', ['token' => $env['SQAUTH_TEST_OAUTH_TOKEN']]);
    echo "then logged in\n";
    $c->close();
}

$imap = $uris['imap'];
echo "== a token that works is asked for once\n";
$calls = [];
$c = Connection::open($imap, $opts);
$c->authenticate('OAUTHBEARER', $user, '', ['token' => source([$fresh, $fresh], $calls)]);
var_dump($calls);

echo "== the callable throws when asked for a fresh token: its exception, the connection usable\n";
$calls = [];
$c = Connection::open($imap, $opts);
$failing = function (bool $refresh) use ($expired, &$calls) {
    $calls[] = $refresh;
    if ($refresh) {
        throw new RuntimeException('the refresh token was revoked');
    }
    return $expired;
};
try {
    $c->authenticate('OAUTHBEARER', $user, '', ['token' => $failing]);
} catch (Throwable $e) {
    echo describe($e), "\n";
    var_dump($calls, $e->getPrevious(), leaks($c, $e));
}
echo logins($c), "\n";
$c->authenticate('OAUTHBEARER', $user, '', ['token' => $fresh]);
echo "then logged in\n";

echo "== not called for a login the policy refuses, or a mechanism without tokens\n";
$calls = [];
$c = Connection::open("imap://{$env['SQAUTH_TEST_HOST']}:{$env['SQAUTH_TEST_IMAP_PORT']}", ['tls' => 'none']);
try {
    $c->authenticate('XOAUTH2', $user, '', ['token' => source([$fresh, $fresh], $calls)]);
} catch (SqAuth\SaslException $e) {
    echo describe($e), "\n";
}
$c->authenticate('PLAIN', $user, $env['SQAUTH_TEST_PASS'], ['token' => source([$fresh, $fresh], $calls), 'allow_plaintext' => true]);
var_dump($calls);
?>
--EXPECT--
== OAUTHBEARER imap: the expired token is refreshed once
array(2) {
  [0]=>
  bool(false)
  [1]=>
  bool(true)
}
C: A0003 AUTHENTICATE OAUTHBEARER <redacted>
C: A0004 AUTHENTICATE OAUTHBEARER <redacted>
S: A0004 OK [CAPABILITY ...] Logged in
bool(false)
== XOAUTH2 pop3s: the expired token is refreshed once
array(2) {
  [0]=>
  bool(false)
  [1]=>
  bool(true)
}
C: AUTH XOAUTH2 <redacted>
C: AUTH XOAUTH2 <redacted>
S: +OK Logged in.
bool(false)
== OAUTHBEARER submission: the expired token is refreshed once
array(2) {
  [0]=>
  bool(false)
  [1]=>
  bool(true)
}
C: AUTH OAUTHBEARER <redacted>
C: AUTH OAUTHBEARER <redacted>
S: 235 2.7.0 Logged in.
bool(false)
== XOAUTH2 sieve: the expired token is refreshed once
array(2) {
  [0]=>
  bool(false)
  [1]=>
  bool(true)
}
C: AUTHENTICATE "XOAUTH2" "<redacted>"
C: AUTHENTICATE "XOAUTH2" "<redacted>"
S: OK "Logged in."
bool(false)
== OAUTHBEARER imap: the fresh token is refused too
SqAuth\AuthenticationException (16): the server refused the OAUTHBEARER login: A0004 NO [AUTHENTICATIONFAILED] Authentication failed. (OAuth error: {"status":"invalid_token"})
string(20) "AUTHENTICATIONFAILED"
int(2)
bool(false)
C: A0003 AUTHENTICATE OAUTHBEARER <redacted>
C: A0004 AUTHENTICATE OAUTHBEARER <redacted>
then logged in
== a token that works is asked for once
array(1) {
  [0]=>
  bool(false)
}
== the callable throws when asked for a fresh token: its exception, the connection usable
RuntimeException (0): the refresh token was revoked
array(2) {
  [0]=>
  bool(false)
  [1]=>
  bool(true)
}
NULL
bool(false)
C: A0003 AUTHENTICATE OAUTHBEARER <redacted>
then logged in
== not called for a login the policy refuses, or a mechanism without tokens
SqAuth\SaslException (9): refusing to send the bearer token in the clear with XOAUTH2 on an unencrypted connection; use TLS, or pass 'allow_plaintext' => true
array(0) {
}
