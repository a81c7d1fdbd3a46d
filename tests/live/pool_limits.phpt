--TEST--
Pooled connections against Dovecot: sqauth.pool_size and sqauth.pool_per_user log out the least recently used connection first; phpinfo() shows the pool
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--INI--
sqauth.pool_size=2
sqauth.pool_per_user=1
--FILE--
<?php
use SqAuth\Connection;

$env = require __DIR__ . '/env.inc';
require __DIR__ . '/pool.inc';
$pass = $env['SQAUTH_TEST_POOL_PASS'];
$imaps = pool_uri($env, 'imaps', 'IMAPS');
$tls = pool_tls($env);
[$a, $b, $c, $d] = [pool_user(5), pool_user(6), pool_user(7), pool_user(8)];

function view(string $user): string
{
    global $imaps, $pass, $tls;
    $conn = Connection::pooledLogin($imaps, $user, $pass, $tls);
    $s = $conn->stream();
    $r = ($conn->isReused() ? 'reused' : 'fresh') . (pool_imap($s, 'n', 'NOOP') === 'EOF' ? ' EOF' : '');
    $conn->release();
    return $r;
}

echo "-- one per user: of two connections at the same time, the older is logged out when both come back\n";
$f = SqAuth\features();
$one = Connection::pooledLogin($imaps, $d, $pass, $tls);
$two = Connection::pooledLogin($imaps, $d, $pass, $tls);
echo $one->isReused() ? 'reused' : 'fresh', ', ', $two->isReused() ? 'reused' : 'fresh', "\n";
$one->release();
$two->release();
echo pool_delta($f), "; $d: ", json_encode(pool_sessions_settled($env, $d, ['imap' => 1])), "\n";

echo "-- pool size 2: the least recently used goes\n";
$f = SqAuth\features();
echo view($a), " $a, ", view($b), " $b, ", view($a), " $a, ", view($c), " $c; ", pool_delta($f), "\n";
foreach ([$a, $b, $c, $d] as $u) {
    echo "$u: ", json_encode(pool_sessions_settled($env, $u, $u === $a || $u === $c ? ['imap' => 1] : [])), ' ';
}
echo "\n";

ob_start();
phpinfo(INFO_MODULES);
preg_match('/^Connection pool => (.*)$/m', ob_get_clean(), $m);
echo 'phpinfo: ', preg_replace('/\d+ (hits|misses|discards|evictions|expired|forgotten)/', 'N $1', $m[1]), "\n";
?>
--EXPECT--
-- one per user: of two connections at the same time, the older is logged out when both come back
fresh, fresh
misses +2, evictions +1, entries 1; pool08: {"imap":1}
-- pool size 2: the least recently used goes
fresh pool05, fresh pool06, reused pool05, fresh pool07; hits +1, misses +3, evictions +2, entries 2
pool05: {"imap":1} pool06: [] pool07: {"imap":1} pool08: [] 
phpinfo: 2 of 2 connections; N hits, N misses, N discards, N evictions, N expired, N forgotten; sign-outs shared with forked workers
