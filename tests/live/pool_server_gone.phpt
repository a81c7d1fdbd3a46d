--TEST--
Pooled connections against Dovecot: a pooled connection the server ended while it waited (doveadm kick: BYE and close; its process killed; its process stopped, so that it never answers) costs one fresh login and never an error; the check after sqauth.pool_check_after finds the silent one
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--INI--
sqauth.pool_check_after=0.3
--FILE--
<?php
use SqAuth\Connection;

$env = require __DIR__ . '/env.inc';
require __DIR__ . '/pool.inc';
require __DIR__ . '/fault.inc';
$user = pool_user(4);
$pass = $env['SQAUTH_TEST_POOL_PASS'];
$port = $env['SQAUTH_TEST_IMAPS_PORT'];
$imaps = pool_uri($env, 'imaps', 'IMAPS');
$tls = pool_tls($env, ['timeout' => 8]);   // a quarter of it (2 s) for the check that finds the stopped server

function page_view(string $what): void
{
    global $imaps, $user, $pass, $tls;
    $f = SqAuth\features();
    try {
        $c = Connection::pooledLogin($imaps, $user, $pass, $tls);
        $s = $c->stream();
        printf("%-40s %s, %s; %s\n", $what, $c->isReused() ? 'reused' : 'fresh', pool_imap($s, 'n', 'NOOP') === 'EOF' ? 'EOF' : 'NOOP ok',
               pool_delta($f));
        $c->release();
    } catch (Throwable $e) {
        echo "$what: ", pool_describe($e), "\n";
    }
}

page_view('first');
page_view('second');

pool_kick($env, $user);
usleep(200000);
page_view('after doveadm kick');

$pids = fault_server_pids($port);
exec('kill -KILL ' . implode(' ', $pids));
usleep(200000);
page_view('after its server process was killed');

$pids = fault_server_pids($port);
exec('kill -STOP ' . implode(' ', $pids));
usleep(400000);   // past sqauth.pool_check_after: the NOOP finds nobody answering
page_view('its server process stopped');
exec('kill -KILL ' . implode(' ', $pids));

page_view('and then');
echo 'server sessions: ', json_encode(pool_sessions_settled($env, $user, ['imap' => 1])), "\n";
?>
--EXPECT--
first                                    fresh, NOOP ok; misses +1, entries 0
second                                   reused, NOOP ok; hits +1, entries 0
after doveadm kick                       fresh, NOOP ok; misses +1, discards +1, entries 0
after its server process was killed      fresh, NOOP ok; misses +1, discards +1, entries 0
its server process stopped               fresh, NOOP ok; misses +1, discards +1, entries 0
and then                                 reused, NOOP ok; hits +1, entries 0
server sessions: {"imap":1}
