--TEST--
Pooled connections against Dovecot, Connection::forgetPooled() (sign-out): logs out every connection the pool keeps for one user identity (server, options, login method and mechanism, user; no password), with LOGOUT and without a login (one in use at the time: at its release()); another mechanism, another option or another user is another identity and stays; pooled()'s options array can be passed as it is
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--INI--
sqauth.pool_per_user=2
--FILE--
<?php
use SqAuth\Connection;

$env = require __DIR__ . '/env.inc';
require __DIR__ . '/pool.inc';
[$a, $b] = [pool_user(17), pool_user(18)];
$pass = $env['SQAUTH_TEST_POOL_PASS'];
$imaps = pool_uri($env, 'imaps', 'IMAPS');
$tls = pool_tls($env);

echo "-- kept: two LOGIN connections and a PLAIN one of $a, a LOGIN one of $b\n";
$c1 = Connection::pooledLogin($imaps, $a, $pass, $tls);
$c2 = Connection::pooledLogin($imaps, $a, $pass, $tls);
$c3 = Connection::pooled($imaps, 'PLAIN', $a, $pass, $tls + ['timeout' => 10]);
$c4 = Connection::pooledLogin($imaps, $b, $pass, $tls);
foreach ([$c1, $c2, $c3, $c4] as $c) {
    $c->release();
}
echo 'entries ', SqAuth\features()['pool_entries'], "; $a: ", json_encode(pool_sessions_settled($env, $a, ['imap' => 3])), "\n";

echo "-- forget $a's LOGIN identity\n";
$mark = pool_log_mark($env);
$f = SqAuth\features();
var_dump(Connection::forgetPooled($imaps, null, $a, $tls));
echo pool_delta($f), '; ', pool_imap_log($env, $mark, $a, 'logins 0, logouts 2'), "; $a: ", json_encode(pool_sessions_settled($env, $a, ['imap' => 1])), "\n";
var_dump(Connection::forgetPooled($imaps, null, $a, $tls));

echo "-- another option or another user is another identity\n";
var_dump(Connection::forgetPooled($imaps, 'PLAIN', $a, $tls + ['session_resumption' => false]));
var_dump(Connection::forgetPooled(pool_uri($env, 'imap', 'IMAP'), 'PLAIN', $a, $tls));
var_dump(Connection::forgetPooled($imaps, 'PLAIN', $b, $tls));

echo "-- the PLAIN one, with the array pooled() took (its timeout; 'reuse' and a token are not used)\n";
$mark = pool_log_mark($env);
$f = SqAuth\features();
var_dump(Connection::forgetPooled($imaps, 'PLAIN', $a, $tls + ['timeout' => 10, 'reuse' => false, 'token' => 'unused']));
echo pool_delta($f), '; ', pool_imap_log($env, $mark, $a, 'logins 0, logouts 1'), "; $a: ", json_encode(pool_sessions_settled($env, $a, [])), "\n";

echo "-- $b's stays\n";
$c = Connection::pooledLogin($imaps, $b, $pass, $tls);
$s = $c->stream();
echo $c->isReused() ? 'reused' : 'fresh', ', ', substr(pool_imap($s, 'n', 'NOOP'), 0, 4), "\n";
$c->release();
echo "$b: ", json_encode(pool_sessions_settled($env, $b, ['imap' => 1])), "\n";

echo "-- $b signs out while a connection of $b is in use: it is logged out at release()\n";
$c = Connection::pooledLogin($imaps, $b, $pass, $tls);   // the kept one, in use now
$f = SqAuth\features();
var_dump(Connection::forgetPooled($imaps, null, $b, $tls));
$c->release();
echo pool_delta($f), "; $b: ", json_encode(pool_sessions_settled($env, $b, [])), "\n";
usleep(2000);                                              // a login in a later millisecond
$c = Connection::pooledLogin($imaps, $b, $pass, $tls);
$c->release();
echo 'a new login: ', $c->isReused() ? 'reused' : 'fresh', ', entries ', SqAuth\features()['pool_entries'], "\n";
?>
--EXPECT--
-- kept: two LOGIN connections and a PLAIN one of pool17, a LOGIN one of pool18
entries 4; pool17: {"imap":3}
-- forget pool17's LOGIN identity
int(2)
forgotten +2, entries 2; logins 0, logouts 2; pool17: {"imap":1}
int(0)
-- another option or another user is another identity
int(0)
int(0)
int(0)
-- the PLAIN one, with the array pooled() took (its timeout; 'reuse' and a token are not used)
int(1)
forgotten +1, entries 1; logins 0, logouts 1; pool17: []
-- pool18's stays
reused, n OK
pool18: {"imap":1}
-- pool18 signs out while a connection of pool18 is in use: it is logged out at release()
int(0)
forgotten +1, entries 0; pool18: []
a new login: fresh, entries 1
