--TEST--
Pooled connections and fork (pcntl_fork, as PHP-FPM forks its workers): the child finds an empty pool, never uses, checks or logs out its parent's connections (pooled or held; forgetPooled() finds none there), logs in itself; the parent's connections still work afterwards, but the child's sign-out of the pooled user reaches the parent's pool (sign-outs are shared with forked processes): the parent logs that session out itself and logs in afresh
--EXTENSIONS--
sqauth
--SKIPIF--
<?php
require __DIR__ . '/skipif.inc';
require __DIR__ . '/skipif_valgrind.inc';
if (!function_exists('pcntl_fork')) die('skip pcntl is not available');
?>
--FILE--
<?php
use SqAuth\Connection;

$env = require __DIR__ . '/env.inc';
require __DIR__ . '/pool.inc';
$pooled_user = pool_user(10);
$held_user = pool_user(11);
$pass = $env['SQAUTH_TEST_POOL_PASS'];
$imaps = pool_uri($env, 'imaps', 'IMAPS');
$tls = pool_tls($env);

$c = Connection::pooledLogin($imaps, $pooled_user, $pass, $tls);
$c->release();                                   // in the pool at the fork
$held = Connection::pooledLogin($imaps, $held_user, $pass, $tls);
$held_stream = $held->stream();                  // in use at the fork
echo 'parent before: ', json_encode(array_intersect_key(SqAuth\features(), ['pool_entries' => 1, 'pool_misses' => 1])), "\n";

$pid = pcntl_fork();
if ($pid === 0) {
    $f = SqAuth\features();
    echo 'child: ', json_encode(array_intersect_key($f, ['pool_entries' => 1, 'pool_hits' => 1, 'pool_misses' => 1])), "\n";
    echo 'child: forgetPooled() of the parent\'s user: ', Connection::forgetPooled($imaps, null, $pooled_user, $tls), "\n";
    $mine = Connection::pooledLogin($imaps, $pooled_user, $pass, $tls);
    $s = $mine->stream();
    echo 'child: its own login ', $mine->isReused() ? 'reused' : 'fresh', ', ', pool_imap($s, 'c', 'NOOP') === 'EOF' ? 'EOF' : 'NOOP ok', "\n";
    $mine->release();
    $held->release();                            // the parent's: dropped without a word
    unset($held, $held_stream);
    echo 'child: ', pool_delta($f), "\n";
    exit(0);                                     // logs out its own connection, nothing of the parent's
}
pcntl_waitpid($pid, $status);
echo 'child exit status: ', pcntl_wexitstatus($status), "\n";

echo 'parent, the connection it held: ', substr(pool_imap($held_stream, 'h', 'NOOP'), 0, 4), "\n";
$held->release();
$c = Connection::pooledLogin($imaps, $pooled_user, $pass, $tls);
$s = $c->stream();
echo 'parent, its pooled one after the child signed that user out: ', $c->isReused() ? 'reused' : 'fresh', ', ',
     substr(pool_imap($s, 'p', 'NOOP'), 0, 4), ', forgotten ', SqAuth\features()['pool_forgotten'], "\n";
$c->release();
echo "$pooled_user: ", json_encode(pool_sessions_settled($env, $pooled_user, ['imap' => 1])), ", $held_user: ",
     json_encode(pool_sessions_settled($env, $held_user, ['imap' => 1])), "\n";
?>
--EXPECT--
parent before: {"pool_entries":1,"pool_misses":2}
child: {"pool_entries":0,"pool_hits":0,"pool_misses":0}
child: forgetPooled() of the parent's user: 0
child: its own login fresh, NOOP ok
child: misses +1, entries 1
child exit status: 0
parent, the connection it held: h OK
parent, its pooled one after the child signed that user out: fresh, p OK, forgotten 1
pool10: {"imap":1}, pool11: {"imap":1}
