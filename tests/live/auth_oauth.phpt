--TEST--
OAUTHBEARER and XOAUTH2 against Dovecot's oauth2 passdb: good token, bad token (the server's JSON status in the exception), no token in transcript or trace, cleartext policy
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--INI--
zend.exception_ignore_args=0
--FILE--
<?php
/*
 * The main Dovecot checks bearer tokens through tests/setup/oauth2_introspect.php (RFC 7662
 * introspection), which accepts only $env['SQAUTH_TEST_OAUTH_TOKEN'], for testuser@a.example.
 */
use SqAuth\Connection;
use SqAuth\AuthenticationException;
$env = require __DIR__ . '/env.inc';

$user = $env['SQAUTH_TEST_USER'];
$good = $env['SQAUTH_TEST_OAUTH_TOKEN'];
$bad = 'sqauth-Wr0ng-T0ken-xyzzy';
$opts = ['cafile' => $env['SQAUTH_TEST_CA'], 'transcript' => true];
$uris = [
    'imap' => "imap://localhost:{$env['SQAUTH_TEST_IMAP_PORT']}",
    'pop3s' => "pop3s://localhost:{$env['SQAUTH_TEST_POP3S_PORT']}",
    'submission' => "submission://localhost:{$env['SQAUTH_TEST_SUBMISSION_PORT']}",
];

/* Sends one command through the stream; returns the final reply line. */
function command($s, string $proto, string $cmd): string
{
    fputs($s, "$cmd\r\n");
    while (($l = fgets($s)) !== false) {
        $l = rtrim($l, "\r\n");
        if ($proto === 'imap' ? str_starts_with($l, 'X1 ') : ($proto === 'pop3' || $l[3] !== '-')) {
            return $l;
        }
    }
    return '(closed)';
}

/* True when a secret shows up anywhere: transcript, exception text, print_r, trace with args. */
function leaks(Connection $c, ?Throwable $e, string $token): bool
{
    $all = implode("\n", $c->transcript());
    if ($e) {
        $all .= (string)$e . print_r($e, true) . var_export($e->getTrace(), true);
    }
    foreach ([$token, base64_encode($token), rawurlencode($token)] as $needle) {
        if (str_contains($all, $needle)) {
            return true;
        }
    }
    // the initial responses themselves, base64 as they go on the wire
    foreach (["n,a={$GLOBALS['user']},\x01", "user={$GLOBALS['user']}\x01"] as $head) {
        if (str_contains($all, base64_encode($head))) {
            return true;
        }
    }
    return false;
}

foreach (['OAUTHBEARER', 'XOAUTH2'] as $mech) {
    foreach ($uris as $name => $uri) {
        echo "== $mech $name\n";
        // good token; then the stream carries on
        $c = Connection::open($uri, $opts);
        $c->authenticate($mech, $user, '', ['token' => $good]);
        $t = $c->transcript();
        echo implode("\n", preg_grep('/^C: (A\d+ AUTHENTICATE|AUTH) /', $t)), "\n";
        echo preg_replace('/ \[CAPABILITY [^]]*\]/', ' [CAPABILITY ...]', end($t)), "\n";
        $s = $c->stream();
        echo match ($c->protocol()) {
            'imap' => preg_replace('/ \(.*secs\)\.$/', '', command($s, 'imap', 'X1 SELECT INBOX')),
            'pop3' => preg_replace('/^\+OK \d+ \d+$/', '+OK n m', command($s, 'pop3', 'STAT')),
            'smtp' => command($s, 'smtp', 'NOOP'),
        }, "\n";
        var_dump(leaks($c, null, $good));
        $c->close();

        // bad token: refused; the JSON status the server sent is in the message
        $c = Connection::open($uri, $opts);
        $e = null;
        try {
            $c->authenticate($mech, $user, '', ['token' => $bad]);
            echo "bad token: no exception\n";
        } catch (AuthenticationException $e) {
            echo sqauth_describe($e), "\n";
            var_dump($e->getServerResponse());
        }
        // the JSON challenge, answered with ^A (OAUTHBEARER) or an empty response (XOAUTH2)
        $t = $c->transcript();
        $i = (int)array_key_last(preg_grep('/^C: (A\d+ AUTHENTICATE|AUTH) /', $t));
        echo implode("\n", array_map(fn ($l) => $l === 'C: ' ? 'C: (empty)' : $l, array_slice($t, $i, 4))), "\n";
        var_dump(leaks($c, $e, $bad));
    }
}

echo "== the token is checked for the user who logs in\n";
foreach (['OAUTHBEARER', 'XOAUTH2'] as $mech) {
    $c = Connection::open($uris['imap'], $opts);
    try {
        $c->authenticate($mech, "{$env['SQAUTH_TEST_REALM2_USER']}@b.example", '', ['token' => $good]);
        echo "$mech other user: no exception\n";
    } catch (AuthenticationException $e) {
        echo sqauth_describe($e), "\n";
    }
    // the full name of the token's user works as well
    $c = Connection::open($uris['imap'], $opts);
    $c->authenticate($mech, "$user@a.example", '', ['token' => $good]);
    echo "$mech $user@a.example: ok\n";
    // the password is no token: the passwd-file passdb does not serve the bearer mechanisms
    $c = Connection::open($uris['imap'], $opts);
    try {
        $c->authenticate($mech, $user, '', ['token' => $env['SQAUTH_TEST_PASS']]);
        echo "$mech password as token: no exception\n";
    } catch (AuthenticationException $e) {
        echo "$mech password as token: ", $e->getCode(), "\n";
    }
}

echo "== cleartext\n";
$plain = $opts + ['tls' => 'none'];
foreach (['OAUTHBEARER', 'XOAUTH2'] as $mech) {
    foreach (["imap://{$env['SQAUTH_TEST_HOST']}:{$env['SQAUTH_TEST_IMAP_PORT']}",
              "pop3://{$env['SQAUTH_TEST_HOST']}:{$env['SQAUTH_TEST_POP3_PORT']}",
              "submission://{$env['SQAUTH_TEST_HOST']}:{$env['SQAUTH_TEST_SUBMISSION_PORT']}"] as $uri) {
        // Dovecot offers them on 127.0.0.1 (loopback counts as secured); sqauth refuses first
        $c = Connection::open($uri, $plain);
        var_dump($c->isEncrypted(), in_array($mech, $c->mechanisms(), true));
        $n = count($c->transcript());
        try {
            $c->authenticate($mech, $user, '', ['token' => $good]);
            echo "$mech without allow_plaintext: no exception\n";
        } catch (SqAuth\SaslException $e) {
            echo sqauth_describe($e), "\n";
            var_dump(count($c->transcript()) === $n, leaks($c, $e, $good));
        }
        // the same connection, with 'allow_plaintext'
        $c->authenticate($mech, $user, '', ['token' => $good, 'allow_plaintext' => true]);
        echo "$mech allow_plaintext: ok\n";
    }
    // 127.0.0.2: Dovecot does not offer the bearer mechanisms before STARTTLS
    $c = Connection::open("imap://{$env['SQAUTH_TEST_REMOTE_HOST']}:{$env['SQAUTH_TEST_IMAP_PORT']}", $plain);
    try {
        $c->authenticate($mech, $user, '', ['token' => $good, 'allow_plaintext' => true]);
        echo "$mech on {$env['SQAUTH_TEST_REMOTE_HOST']}: no exception\n";
    } catch (SqAuth\SaslException $e) {
        echo sqauth_describe($e), "\n";
    }
}
?>
--EXPECT--
== OAUTHBEARER imap
C: A0003 AUTHENTICATE OAUTHBEARER <redacted>
S: A0003 OK [CAPABILITY ...] Logged in
X1 OK [READ-WRITE] Select completed
bool(false)
SqAuth\AuthenticationException (16): the server refused the OAUTHBEARER login: A0003 NO [AUTHENTICATIONFAILED] Authentication failed. (OAuth error: {"status":"invalid_token"})
string(54) "A0003 NO [AUTHENTICATIONFAILED] Authentication failed."
C: A0003 AUTHENTICATE OAUTHBEARER <redacted>
S: + eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0=
C: <redacted>
S: A0003 NO [AUTHENTICATIONFAILED] Authentication failed.
bool(false)
== OAUTHBEARER pop3s
C: AUTH OAUTHBEARER <redacted>
S: +OK Logged in.
+OK n m
bool(false)
SqAuth\AuthenticationException (16): the server refused the OAUTHBEARER login: -ERR [AUTH] Authentication failed. (OAuth error: {"status":"invalid_token"})
string(34) "-ERR [AUTH] Authentication failed."
C: AUTH OAUTHBEARER <redacted>
S: + eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0=
C: <redacted>
S: -ERR [AUTH] Authentication failed.
bool(false)
== OAUTHBEARER submission
C: AUTH OAUTHBEARER <redacted>
S: 235 2.7.0 Logged in.
250 2.0.0 OK
bool(false)
SqAuth\AuthenticationException (16): the server refused the OAUTHBEARER login: 535 5.7.8 Authentication failed. (OAuth error: {"status":"invalid_token"})
string(32) "535 5.7.8 Authentication failed."
C: AUTH OAUTHBEARER <redacted>
S: 334 eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0=
C: <redacted>
S: 535 5.7.8 Authentication failed.
bool(false)
== XOAUTH2 imap
C: A0003 AUTHENTICATE XOAUTH2 <redacted>
S: A0003 OK [CAPABILITY ...] Logged in
X1 OK [READ-WRITE] Select completed
bool(false)
SqAuth\AuthenticationException (16): the server refused the XOAUTH2 login: A0003 NO [AUTHENTICATIONFAILED] Authentication failed. (OAuth error: {"status":"401","schemes":"bearer","scope":"mail"})
string(54) "A0003 NO [AUTHENTICATIONFAILED] Authentication failed."
C: A0003 AUTHENTICATE XOAUTH2 <redacted>
S: + eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIiwic2NvcGUiOiJtYWlsIn0=
C: (empty)
S: A0003 NO [AUTHENTICATIONFAILED] Authentication failed.
bool(false)
== XOAUTH2 pop3s
C: AUTH XOAUTH2 <redacted>
S: +OK Logged in.
+OK n m
bool(false)
SqAuth\AuthenticationException (16): the server refused the XOAUTH2 login: -ERR [AUTH] Authentication failed. (OAuth error: {"status":"401","schemes":"bearer","scope":"mail"})
string(34) "-ERR [AUTH] Authentication failed."
C: AUTH XOAUTH2 <redacted>
S: + eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIiwic2NvcGUiOiJtYWlsIn0=
C: (empty)
S: -ERR [AUTH] Authentication failed.
bool(false)
== XOAUTH2 submission
C: AUTH XOAUTH2 <redacted>
S: 235 2.7.0 Logged in.
250 2.0.0 OK
bool(false)
SqAuth\AuthenticationException (16): the server refused the XOAUTH2 login: 535 5.7.8 Authentication failed. (OAuth error: {"status":"401","schemes":"bearer","scope":"mail"})
string(32) "535 5.7.8 Authentication failed."
C: AUTH XOAUTH2 <redacted>
S: 334 eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIiwic2NvcGUiOiJtYWlsIn0=
C: (empty)
S: 535 5.7.8 Authentication failed.
bool(false)
== the token is checked for the user who logs in
SqAuth\AuthenticationException (16): the server refused the OAUTHBEARER login: A0003 NO [AUTHENTICATIONFAILED] Authentication failed. (OAuth error: {"status":"invalid_token"})
OAUTHBEARER testuser@a.example: ok
OAUTHBEARER password as token: 16
SqAuth\AuthenticationException (16): the server refused the XOAUTH2 login: A0003 NO [AUTHENTICATIONFAILED] Authentication failed. (OAuth error: {"status":"401","schemes":"bearer","scope":"mail"})
XOAUTH2 testuser@a.example: ok
XOAUTH2 password as token: 16
== cleartext
bool(false)
bool(true)
SqAuth\SaslException (9): refusing to send the bearer token in the clear with OAUTHBEARER on an unencrypted connection; use TLS, or pass 'allow_plaintext' => true
bool(true)
bool(false)
OAUTHBEARER allow_plaintext: ok
bool(false)
bool(true)
SqAuth\SaslException (9): refusing to send the bearer token in the clear with OAUTHBEARER on an unencrypted connection; use TLS, or pass 'allow_plaintext' => true
bool(true)
bool(false)
OAUTHBEARER allow_plaintext: ok
bool(false)
bool(true)
SqAuth\SaslException (9): refusing to send the bearer token in the clear with OAUTHBEARER on an unencrypted connection; use TLS, or pass 'allow_plaintext' => true
bool(true)
bool(false)
OAUTHBEARER allow_plaintext: ok
SqAuth\SaslException (6): the server does not offer OAUTHBEARER (it offers CRAM-MD5, DIGEST-MD5, SCRAM-SHA-1, SCRAM-SHA-256)
bool(false)
bool(true)
SqAuth\SaslException (9): refusing to send the bearer token in the clear with XOAUTH2 on an unencrypted connection; use TLS, or pass 'allow_plaintext' => true
bool(true)
bool(false)
XOAUTH2 allow_plaintext: ok
bool(false)
bool(true)
SqAuth\SaslException (9): refusing to send the bearer token in the clear with XOAUTH2 on an unencrypted connection; use TLS, or pass 'allow_plaintext' => true
bool(true)
bool(false)
XOAUTH2 allow_plaintext: ok
bool(false)
bool(true)
SqAuth\SaslException (9): refusing to send the bearer token in the clear with XOAUTH2 on an unencrypted connection; use TLS, or pass 'allow_plaintext' => true
bool(true)
bool(false)
XOAUTH2 allow_plaintext: ok
SqAuth\SaslException (6): the server does not offer XOAUTH2 (it offers CRAM-MD5, DIGEST-MD5, SCRAM-SHA-1, SCRAM-SHA-256)
