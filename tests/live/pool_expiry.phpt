--TEST--
Pooled connections against Dovecot: a connection idle past sqauth.pool_idle_timeout, or older than sqauth.pool_max_lifetime however often used, is logged out and the next caller gets a fresh login
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--INI--
sqauth.pool_idle_timeout=1
sqauth.pool_max_lifetime=2
--FILE--
<?php
use SqAuth\Connection;

$env = require __DIR__ . '/env.inc';
require __DIR__ . '/pool.inc';
$pass = $env['SQAUTH_TEST_POOL_PASS'];
$imaps = pool_uri($env, 'imaps', 'IMAPS');
$tls = pool_tls($env);
[$a, $b] = [pool_user(9), pool_user(14)];

function view(string $user): string
{
    global $imaps, $pass, $tls;
    $conn = Connection::pooledLogin($imaps, $user, $pass, $tls);
    $s = $conn->stream();
    $r = ($conn->isReused() ? 'reused' : 'fresh') . (pool_imap($s, 'n', 'NOOP') === 'EOF' ? ' EOF' : '');
    $conn->release();
    return $r;
}

echo "-- idle timeout 1 s\n";
$f = SqAuth\features();
echo view($a), ', ', view($a);
usleep(1500000);
echo ', after 1.5 s idle: ', view($a), '; ', pool_delta($f), "\n";
echo "$a's server sessions: ", json_encode(pool_sessions_settled($env, $a, ['imap' => 1])), "\n";

echo "-- lifetime 2 s, used every 0.3 s for 3.5 s (and $a's expires)\n";
$f = SqAuth\features();
$seen = [];
$start = microtime(true);
while (microtime(true) - $start < 3.5) {
    $seen[] = view($b);
    usleep(300000);
}
echo 'fresh logins: ', count(array_keys($seen, 'fresh')), ' (the first, and one after 2 s); expired +',
     SqAuth\features()['pool_expired'] - $f['pool_expired'], "\n";
echo "$b's server sessions: ", json_encode(pool_sessions_settled($env, $b, ['imap' => 1])), "\n";
?>
--EXPECT--
-- idle timeout 1 s
fresh, reused, after 1.5 s idle: fresh; hits +1, misses +2, expired +1, entries 1
pool09's server sessions: {"imap":1}
-- lifetime 2 s, used every 0.3 s for 3.5 s (and pool09's expires)
fresh logins: 2 (the first, and one after 2 s); expired +2
pool14's server sessions: {"imap":1}
