--TEST--
Pooled connections against Dovecot, 'reuse' => false (a login form): never a kept connection; a wrong password is refused and leaves the kept connection alone, the right one logs in afresh and logs the kept one out (it is replaced, and its replacement is pooled at release()), and a connection of the user in use then is logged out at its release(); pooled() and pooledLogin() alike; Dovecot's log and the counters agree
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
use SqAuth\Connection;

$env = require __DIR__ . '/env.inc';
require __DIR__ . '/pool.inc';
$user = pool_user(16);
$pass = $env['SQAUTH_TEST_POOL_PASS'];
$imaps = pool_uri($env, 'imaps', 'IMAPS');
$tls = pool_tls($env);
$form = $tls + ['reuse' => false];

/* A page view: a command, then the connection back to the pool (the
 * stream must live until then: closing it ends the connection). */
function view(Connection $c): string
{
    $s = $c->stream();
    $line = strstr(pool_imap($s, 'n', 'NOOP'), ' (', true);
    $c->release();
    return ($c->isReused() ? 'reused' : 'fresh') . ", $line";
}

echo "-- a page view keeps a connection\n";
$mark = pool_log_mark($env);
$f = SqAuth\features();
echo view(Connection::pooledLogin($imaps, $user, $pass, $tls)), "\n";
echo pool_delta($f), '; ', pool_imap_log($env, $mark, $user, 'logins 1, logouts 0'), "\n";

echo "-- the login form with a wrong password\n";
$mark = pool_log_mark($env);
$f = SqAuth\features();
try {
    Connection::pooledLogin($imaps, $user, "not-$pass", $form);
    echo "logged in!\n";
} catch (SqAuth\AuthenticationException $e) {
    echo pool_describe($e), ' [', $e->getResponseCode(), "]\n";
}
echo pool_delta($f), '; ', pool_imap_log($env, $mark, $user, 'logins 0, logouts 0'), "\n";
echo 'server sessions: ', json_encode(pool_sessions_settled($env, $user, ['imap' => 1])), "\n";

echo "-- the login form with the right password\n";
$mark = pool_log_mark($env);
$f = SqAuth\features();
$c = Connection::pooledLogin($imaps, $user, $pass, $form);
echo 'held: ', $c->isReused() ? 'reused' : 'fresh', ', ', pool_delta($f), '; ', pool_imap_log($env, $mark, $user, 'logins 1, logouts 1'), "\n";
echo view($c), "\n";
echo 'server sessions: ', json_encode(pool_sessions_settled($env, $user, ['imap' => 1])), "\n";

echo "-- the next page view gets the replacement\n";
$f = SqAuth\features();
echo view(Connection::pooledLogin($imaps, $user, $pass, $tls)), "\n";
echo pool_delta($f), "\n";

echo "-- pooled() the same: SASL PLAIN kept, then the login form\n";
echo view(Connection::pooled($imaps, 'PLAIN', $user, $pass, $tls)), "\n";
$mark = pool_log_mark($env);
$f = SqAuth\features();
echo view(Connection::pooled($imaps, 'PLAIN', $user, $pass, $form)), "\n";
echo pool_delta($f), '; ', pool_imap_log($env, $mark, $user, 'logins 1, logouts 1'), "\n";
echo 'server sessions: ', json_encode(pool_sessions_settled($env, $user, ['imap' => 2])), "\n";

echo "-- 'reuse' => true is the default\n";
$f = SqAuth\features();
echo view(Connection::pooled($imaps, 'PLAIN', $user, $pass, $tls + ['reuse' => true])), "\n";
echo pool_delta($f), "\n";

echo "-- a connection in use when the login form logs in is logged out at its release(), not pooled\n";
$mark = pool_log_mark($env);
$f = SqAuth\features();
$held = Connection::pooledLogin($imaps, $user, $pass, $tls);
echo view(Connection::pooledLogin($imaps, $user, $pass, $form)), "\n";
echo view($held), "\n";
echo pool_delta($f), '; ', pool_imap_log($env, $mark, $user, 'logins 1, logouts 1'), "\n";
echo 'server sessions: ', json_encode(pool_sessions_settled($env, $user, ['imap' => 2])), "\n";
?>
--EXPECT--
-- a page view keeps a connection
fresh, n OK NOOP completed
misses +1, entries 1; logins 1, logouts 0
-- the login form with a wrong password
SqAuth\AuthenticationException (16): the server refused the login: A0001 NO [AUTHENTICATIONFAILED] Authentication failed. [AUTHENTICATIONFAILED]
misses +1, entries 1; logins 0, logouts 0
server sessions: {"imap":1}
-- the login form with the right password
held: fresh, misses +1, forgotten +1, entries 0; logins 1, logouts 1
fresh, n OK NOOP completed
server sessions: {"imap":1}
-- the next page view gets the replacement
reused, n OK NOOP completed
hits +1, entries 1
-- pooled() the same: SASL PLAIN kept, then the login form
fresh, n OK NOOP completed
fresh, n OK NOOP completed
misses +1, forgotten +1, entries 2; logins 1, logouts 1
server sessions: {"imap":2}
-- 'reuse' => true is the default
reused, n OK NOOP completed
hits +1, entries 2
-- a connection in use when the login form logs in is logged out at its release(), not pooled
fresh, n OK NOOP completed
reused, n OK NOOP completed
hits +1, misses +1, forgotten +1, entries 2; logins 1, logouts 1
server sessions: {"imap":2}
