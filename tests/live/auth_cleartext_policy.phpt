--TEST--
Cleartext policy: PLAIN/LOGIN/IMAP LOGIN/USER+PASS refused without TLS unless 'allow_plaintext'; 'auto' picks SCRAM; LOGINDISABLED respected
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
use SqAuth\Connection;
$env = require __DIR__ . '/env.inc';

$u = $env['SQAUTH_TEST_USER'];
$p = $env['SQAUTH_TEST_PASS'];
$local = $env['SQAUTH_TEST_HOST'];          // Dovecot counts it as secured: PLAIN offered without TLS
$remote = $env['SQAUTH_TEST_REMOTE_HOST'];  // treated as remote: no PLAIN, LOGINDISABLED
$ports = ['imap' => $env['SQAUTH_TEST_IMAP_PORT'], 'pop3' => $env['SQAUTH_TEST_POP3_PORT'],
          'submission' => $env['SQAUTH_TEST_SUBMISSION_PORT']];
$opts = ['tls' => 'none', 'transcript' => true];
function attempt(callable $f): string
{
    try {
        $f();
        return 'ok';
    } catch (SqAuth\Exception $e) {
        return sqauth_describe($e);
    }
}

foreach ($ports as $scheme => $port) {
    echo "== $scheme\n";
    $c = Connection::open("$scheme://$remote:$port", $opts);
    var_dump($c->isEncrypted());
    echo "$remote offers: ", implode(' ', $c->mechanisms()), "\n";

    $c = Connection::open("$scheme://$local:$port", $opts);
    echo "$local offers: ", implode(' ', $c->mechanisms()), "\n";
    $n = count($c->transcript());
    echo "PLAIN: ", attempt(fn () => $c->authenticate('PLAIN', $u, $p)), "\n";
    echo "LOGIN: ", attempt(fn () => $c->authenticate('LOGIN', $u, $p)), "\n";
    echo "login(): ", attempt(fn () => $c->login($u, $p)), "\n";
    // nothing was sent for any of them
    var_dump(count($c->transcript()) === $n);
    // 'auto' on an unencrypted connection: SCRAM-SHA-256, never PLAIN
    echo "auto: ", attempt(fn () => $c->authenticate('auto', $u, $p)), "\n";
    echo implode("\n", preg_grep('/^C: (A\d+ AUTHENTICATE|AUTH) /', $c->transcript())), "\n";

    $c = Connection::open("$scheme://$local:$port", $opts);
    echo "PLAIN, allow_plaintext: ", attempt(fn () => $c->authenticate('PLAIN', $u, $p, ['allow_plaintext' => true])), "\n";
    // even allowed in the clear, the transcript keeps the secret out
    var_dump(str_contains(implode("\n", $c->transcript()), base64_encode("\0$u\0$p")));
}

echo "== login() in the clear\n";
$c = Connection::open("imap://$local:{$ports['imap']}", $opts);
echo "IMAP LOGIN, allow_plaintext: ", attempt(fn () => $c->login($u, $p, ['allow_plaintext' => true])), "\n";
$c = Connection::open("pop3://$local:{$ports['pop3']}", $opts);
echo "USER/PASS, allow_plaintext: ", attempt(fn () => $c->login($u, $p, ['allow_plaintext' => true])), "\n";
$c = Connection::open("submission://$local:{$ports['submission']}", $opts);
echo "SMTP login(): ", attempt(fn () => $c->login($u, $p, ['allow_plaintext' => true])), "\n";

echo "== LOGINDISABLED ($remote)\n";
$c = Connection::open("imap://$remote:{$ports['imap']}", $opts);
var_dump(in_array('LOGINDISABLED', $c->capabilities(), true));
$n = count($c->transcript());
echo "login(): ", attempt(fn () => $c->login($u, $p)), "\n";
echo "login(), allow_plaintext: ", attempt(fn () => $c->login($u, $p, ['allow_plaintext' => true])), "\n";
echo "PLAIN, allow_plaintext: ", attempt(fn () => $c->authenticate('PLAIN', $u, $p, ['allow_plaintext' => true])), "\n";
var_dump(count($c->transcript()) === $n);
echo "auto: ", attempt(fn () => $c->authenticate('auto', $u, $p)), "\n";
// POP3 on the remote address: CAPA lists no USER (RFC 2449), so USER is never sent
$c = Connection::open("pop3://$remote:{$ports['pop3']}", $opts + ['transcript' => true]);
var_dump(isset($c->capabilities()['USER']));
echo "USER/PASS, allow_plaintext: ", attempt(fn () => $c->login($u, $p, ['allow_plaintext' => true])), "\n";
echo 'USER sent: ', var_export((bool)preg_grep('/^C: USER/', $c->transcript()), true), "\n";
echo 'detect() login_disabled: ', var_export(SqAuth\detect("pop3://$remote:{$ports['pop3']}", $opts)['login_disabled'], true), "\n";
// the same server on 127.0.0.1 (secured: loopback) lists USER
$c = Connection::open("pop3://$local:{$ports['pop3']}", $opts);
var_dump(isset($c->capabilities()['USER']));
echo 'detect() login_disabled: ', var_export(SqAuth\detect("pop3://$local:{$ports['pop3']}", $opts)['login_disabled'], true), "\n";
?>
--EXPECT--
== imap
bool(false)
127.0.0.2 offers: CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1 SCRAM-SHA-256
127.0.0.1 offers: PLAIN LOGIN CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1 SCRAM-SHA-256 XOAUTH2 OAUTHBEARER
PLAIN: SqAuth\SaslException (9): refusing to send the password in the clear with PLAIN on an unencrypted connection; use TLS, or pass 'allow_plaintext' => true
LOGIN: SqAuth\SaslException (9): refusing to send the password in the clear with LOGIN on an unencrypted connection; use TLS, or pass 'allow_plaintext' => true
login(): SqAuth\SaslException (9): refusing to send the password in the clear with LOGIN on an unencrypted connection; use TLS, or pass 'allow_plaintext' => true
bool(true)
auto: ok
C: A0001 AUTHENTICATE SCRAM-SHA-256 <redacted>
PLAIN, allow_plaintext: ok
bool(false)
== pop3
bool(false)
127.0.0.2 offers: CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1 SCRAM-SHA-256
127.0.0.1 offers: PLAIN LOGIN CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1 SCRAM-SHA-256 XOAUTH2 OAUTHBEARER
PLAIN: SqAuth\SaslException (9): refusing to send the password in the clear with PLAIN on an unencrypted connection; use TLS, or pass 'allow_plaintext' => true
LOGIN: SqAuth\SaslException (9): refusing to send the password in the clear with LOGIN on an unencrypted connection; use TLS, or pass 'allow_plaintext' => true
login(): SqAuth\SaslException (9): refusing to send the password in the clear with USER/PASS on an unencrypted connection; use TLS, or pass 'allow_plaintext' => true
bool(true)
auto: ok
C: AUTH SCRAM-SHA-256 <redacted>
PLAIN, allow_plaintext: ok
bool(false)
== submission
bool(false)
127.0.0.2 offers: CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1 SCRAM-SHA-256
127.0.0.1 offers: PLAIN LOGIN CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1 SCRAM-SHA-256 XOAUTH2 OAUTHBEARER
PLAIN: SqAuth\SaslException (9): refusing to send the password in the clear with PLAIN on an unencrypted connection; use TLS, or pass 'allow_plaintext' => true
LOGIN: SqAuth\SaslException (9): refusing to send the password in the clear with LOGIN on an unencrypted connection; use TLS, or pass 'allow_plaintext' => true
login(): SqAuth\SaslException (9): refusing to send the password in the clear with LOGIN on an unencrypted connection; use TLS, or pass 'allow_plaintext' => true
bool(true)
auto: ok
C: AUTH SCRAM-SHA-256 <redacted>
PLAIN, allow_plaintext: ok
bool(false)
== login() in the clear
IMAP LOGIN, allow_plaintext: ok
USER/PASS, allow_plaintext: ok
SMTP login(): SqAuth\SaslException (6): smtp has no LOGIN command: use authenticate()
== LOGINDISABLED (127.0.0.2)
bool(true)
login(): SqAuth\SaslException (9): refusing to send the password in the clear with LOGIN on an unencrypted connection; use TLS, or pass 'allow_plaintext' => true
login(), allow_plaintext: SqAuth\SaslException (9): the IMAP server announces LOGINDISABLED: use STARTTLS or authenticate()
PLAIN, allow_plaintext: SqAuth\SaslException (6): the server does not offer PLAIN (it offers CRAM-MD5, DIGEST-MD5, SCRAM-SHA-1, SCRAM-SHA-256)
bool(true)
auto: ok
bool(false)
USER/PASS, allow_plaintext: SqAuth\SaslException (9): the POP3 server does not list USER in its capabilities: use STLS or authenticate()
USER sent: false
detect() login_disabled: true
bool(true)
detect() login_disabled: false
