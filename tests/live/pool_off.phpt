--TEST--
Pooled connections against Dovecot: sqauth.pool_size=0 turns the pool off: pooled() logs in every time, release() logs out, nothing is counted as reused, forgetPooled() has nothing to log out
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--INI--
sqauth.pool_size=0
--FILE--
<?php
use SqAuth\Connection;

$env = require __DIR__ . '/env.inc';
require __DIR__ . '/pool.inc';
$user = pool_user(15);
$f = SqAuth\features();
for ($i = 0; $i < 2; $i++) {
    $c = Connection::pooledLogin(pool_uri($env, 'imaps', 'IMAPS'), $user, $env['SQAUTH_TEST_POOL_PASS'], pool_tls($env));
    $s = $c->stream();
    echo $c->isReused() ? 'reused' : 'fresh', ', ', substr(pool_imap($s, 'n', 'NOOP'), 0, 4), "\n";
    $c->release();
}
echo pool_delta($f), ', size ', SqAuth\features()['pool_size'], "\n";
echo "$user: ", json_encode(pool_sessions_settled($env, $user, [])), "\n";
echo 'forgetPooled(): ', Connection::forgetPooled(pool_uri($env, 'imaps', 'IMAPS'), null, $user, pool_tls($env)), "\n";
ob_start();
phpinfo(INFO_MODULES);
preg_match('/^Connection pool => .*$/m', ob_get_clean(), $m);
echo $m[0], "\n";
?>
--EXPECT--
fresh, n OK
fresh, n OK
misses +2, entries 0, size 0
pool15: []
forgetPooled(): 0
Connection pool => off
