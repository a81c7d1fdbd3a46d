--TEST--
Pooled connections against Dovecot: IMAP (LOGIN and SASL), submission and ManageSieve are reused with one server session each and work after reuse; no reuse across users, passwords, methods or options; a wrong password is refused, never served from the pool; POP3 is never pooled; a released Connection is closed for I/O
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
use SqAuth\Connection;

$env = require __DIR__ . '/env.inc';
require __DIR__ . '/pool.inc';
$user = pool_user(1);
$other = pool_user(2);
$pass = $env['SQAUTH_TEST_POOL_PASS'];
$imaps = pool_uri($env, 'imaps', 'IMAPS');
$tls = pool_tls($env);

echo "-- IMAP LOGIN, three page views\n";
$f = SqAuth\features();
for ($i = 1; $i <= 3; $i++) {
    $c = Connection::pooledLogin($imaps, $user, $pass, $tls);
    $s = $c->stream();
    printf("view %d: %s, %s, %s\n", $i, $c->isReused() ? 'reused' : 'fresh', pool_imap($s, 's', 'SELECT INBOX') === 'EOF' ? 'EOF' : substr(pool_imap($s, 'n', 'NOOP'), 0, 4),
           $c->tlsInfo()['protocol']);
    $c->release();
}
echo pool_delta($f), "\n";
echo 'server sessions: ', json_encode(pool_sessions_settled($env, $user, ['imap' => 1])), "\n";

echo "-- a reused IMAP connection is in the authenticated state: no mailbox selected\n";
$c = Connection::pooledLogin($imaps, $user, $pass, $tls);
$s = $c->stream();
echo $c->isReused() ? 'reused: ' : 'fresh: ', strstr(pool_imap($s, 'f', 'FETCH 1 FLAGS'), ' (', true), "\n";
$c->release();

echo "-- the key\n";
$f = SqAuth\features();
$try = [
    'another user, same password' => fn() => Connection::pooledLogin($imaps, $other, $pass, $tls),
    'SASL PLAIN instead of LOGIN' => fn() => Connection::pooled($imaps, 'PLAIN', $user, $pass, $tls),
    'SASL PLAIN again' => fn() => Connection::pooled($imaps, 'PLAIN', $user, $pass, $tls),
    'another TLS option' => fn() => Connection::pooledLogin($imaps, $user, $pass, $tls + ['session_resumption' => false]),
    'STARTTLS instead of implicit TLS' => fn() => Connection::pooledLogin(pool_uri($env, 'imap', 'IMAP'), $user, $pass, $tls),
    'per use: timeout, transcript' => fn() => Connection::pooledLogin($imaps, $user, $pass, $tls + ['timeout' => 5, 'transcript' => true]),
];
foreach ($try as $what => $open) {
    $c = $open();
    printf("%-34s %s%s\n", $what, $c->isReused() ? 'reused' : 'fresh', $c->isReused() ? ', transcript ' . json_encode($c->transcript()) : '');
    $c->release();
}
echo pool_delta($f), "\n";

echo "-- a wrong password\n";
$f = SqAuth\features();
foreach (['not-' . $pass, $pass . ' '] as $wrong) {
    try {
        Connection::pooledLogin($imaps, $user, $wrong, $tls);
        echo "logged in!\n";
    } catch (SqAuth\AuthenticationException $e) {
        echo pool_describe($e), ' [', $e->getResponseCode(), "]\n";
    }
}
$c = Connection::pooledLogin($imaps, $user, $pass, $tls);
echo 'then the right one: ', $c->isReused() ? 'reused' : 'fresh', "\n";
$c->release();
echo pool_delta($f), "\n";

echo "-- submission: a message per page view, on one connection\n";
$f = SqAuth\features();
for ($i = 1; $i <= 2; $i++) {
    $c = Connection::pooled(pool_uri($env, 'submissions', 'SUBMISSIONS'), 'PLAIN', $user, $pass, $tls);
    $s = $c->stream();
    $replies = [];
    foreach (["MAIL FROM:<$user@a.example>", "RCPT TO:<$user@a.example>", 'DATA'] as $cmd) {
        fwrite($s, "$cmd\r\n");
        $replies[] = substr(fgets($s), 0, 3);
    }
    fwrite($s, "Subject: pool_reuse.phpt $i\r\n\r\nbody\r\n.\r\n");
    $replies[] = substr(fgets($s), 0, 3);
    printf("message %d: %s, %s\n", $i, $c->isReused() ? 'reused' : 'fresh', implode(' ', $replies));
    $c->release();
}
echo pool_delta($f), "\n";

echo "-- ManageSieve\n";
for ($i = 1; $i <= 2; $i++) {
    $c = Connection::pooled(pool_uri($env, 'sieve', 'SIEVE'), 'PLAIN', $user, $pass, $tls);
    $s = $c->stream();
    fwrite($s, "LISTSCRIPTS\r\n");
    do {
        $l = fgets($s);
    } while ($l !== false && !preg_match('/^(OK|NO|BYE)/', $l));
    printf("%s: %s", $c->isReused() ? 'reused' : 'fresh', $l);
    $c->release();
}
echo 'server sessions: ', json_encode(pool_sessions_settled($env, $user, ['imap' => 4, 'sieve' => 1, 'submission' => 1])), "\n";

echo "-- POP3 is never pooled\n";
$f = SqAuth\features();
for ($i = 1; $i <= 2; $i++) {
    $c = Connection::pooledLogin(pool_uri($env, 'pop3s', 'POP3S'), $other, $pass, $tls);
    echo $c->isReused() ? 'reused' : 'fresh', "\n";
    $c->release();
}
echo pool_delta($f), "\n";
echo 'server sessions: ', json_encode(pool_sessions_settled($env, $other, ['imap' => 1])), "\n";

echo "-- after release()\n";
$c = Connection::pooledLogin($imaps, $user, $pass, $tls);
$s = $c->stream();
$c->release();
$c->release();
foreach (['capabilities', 'stream', 'transcript', 'greeting'] as $m) {
    try {
        $c->$m();
        echo "$m: ok\n";
    } catch (SqAuth\Exception $e) {
        echo "$m: ", pool_describe($e), "\n";
    }
}
var_dump($c->isReused(), fgets($s), feof($s));
$c->close();

echo "-- a Connection from open(): release() logs out\n";
$f = SqAuth\features();
$c = Connection::open($imaps, $tls);
$c->login($other, $pass);
$c->release();
var_dump($c->isReused());
echo pool_delta($f), "\n";
echo 'server sessions: ', json_encode(pool_sessions_settled($env, $other, ['imap' => 1])), "\n";
?>
--EXPECT--
-- IMAP LOGIN, three page views
view 1: fresh, n OK, TLSv1.3
view 2: reused, n OK, TLSv1.3
view 3: reused, n OK, TLSv1.3
hits +2, misses +1, entries 1
server sessions: {"imap":1}
-- a reused IMAP connection is in the authenticated state: no mailbox selected
reused: f BAD No mailbox selected
-- the key
another user, same password        fresh
SASL PLAIN instead of LOGIN        fresh
SASL PLAIN again                   reused, transcript []
another TLS option                 fresh
STARTTLS instead of implicit TLS   fresh
per use: timeout, transcript       reused, transcript []
hits +2, misses +4, entries 5
-- a wrong password
SqAuth\AuthenticationException (16): the server refused the login: A0001 NO [AUTHENTICATIONFAILED] Authentication failed. [AUTHENTICATIONFAILED]
SqAuth\AuthenticationException (16): the server refused the login: A0001 NO [AUTHENTICATIONFAILED] Authentication failed. [AUTHENTICATIONFAILED]
then the right one: reused
hits +1, misses +2, entries 5
-- submission: a message per page view, on one connection
message 1: fresh, 250 250 354 250
message 2: reused, 250 250 354 250
hits +1, misses +1, entries 6
-- ManageSieve
fresh: OK "Listscripts completed."
reused: OK "Listscripts completed."
server sessions: {"imap":4,"sieve":1,"submission":1}
-- POP3 is never pooled
fresh
fresh
misses +2, entries 7
server sessions: {"imap":1}
-- after release()
capabilities: SqAuth\ConnectionException (13): the connection is closed
stream: SqAuth\ConnectionException (13): the connection is closed
transcript: SqAuth\ConnectionException (13): the connection is closed
greeting: SqAuth\ConnectionException (13): the connection is closed
bool(true)
bool(false)
bool(true)
-- a Connection from open(): release() logs out
bool(false)
nothing, entries 7
server sessions: {"imap":1}
