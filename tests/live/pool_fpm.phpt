--TEST--
Pooled connections inside a real PHP-FPM (pm = static, 2 workers, sqauth from this build): page views of two users log in once per worker and user and reuse after; no session reaches the other user; a wrong password is refused although the user's sessions are pooled; php_admin_value[sqauth.pool_size] = 0 logs in on every page view; a worker recycled by pm.max_requests and a graceful stop log the pooled sessions out cleanly; the master never holds a mail connection
--EXTENSIONS--
sqauth
--SKIPIF--
<?php
require __DIR__ . '/skipif.inc';
require __DIR__ . '/skipif_valgrind.inc';
require __DIR__ . '/fpm.inc';
if (fpm_binary() === null) die('skip php-fpm not found (/usr/sbin/php-fpm' . PHP_MAJOR_VERSION . '.' . PHP_MINOR_VERSION . ' or SQAUTH_TEST_PHP_FPM; Debian package php8.2-fpm, which scripts/setup.sh installs)');
?>
--FILE--
<?php
use SqAuth\Connection;

$env = require __DIR__ . '/env.inc';
require __DIR__ . '/pool.inc';
require __DIR__ . '/fastcgi.inc';
require __DIR__ . '/fpm.inc';
$users = [pool_user(19), pool_user(20)];
[$a, $b] = $users;
$pass = $env['SQAUTH_TEST_POOL_PASS'];
$imaps = pool_uri($env, 'imaps', 'IMAPS');
$imaps_port = (int)$env['SQAUTH_TEST_IMAPS_PORT'];
$dir = $env['SQAUTH_TEST_DIR'] . '/pool-fpm';
fpm_clean($dir);
mkdir($dir, 0700, true);

copy(__DIR__ . '/pool_page.inc', "$dir/page.php");

/* Each user's marker mailbox, made by a login of its own (it is there
 * already when the servers' mail directory is older than this run). */
foreach ($users as $u) {
    $c = Connection::open($imaps, pool_tls($env));
    $c->login($u, $pass);
    $s = $c->stream();
    $created = pool_imap($s, 'c', "CREATE pool-owner-$u");
    if (!preg_match('/^c (OK|NO \[ALREADYEXISTS\])/', $created)) {
        echo "CREATE pool-owner-$u: $created\n";
    }
    pool_imap($s, 'q', 'LOGOUT');
    $c->close();
}

$seen = [];          // [pid][user]: that worker has logged that user in
$counters = [];      // [pid]: the pool's counters in that worker
$problems = [];

/* A page view's result in a word or two; checks that the session is the
 * user's own and that a worker logs a user in only once. */
function outcome(array $r, string $user, bool $pooling): string
{
    global $seen, $problems;
    if (isset($r['error'])) {
        return $r['error'];
    }
    if (($r['owner'] ?? null) !== [$user] || $r['select'] !== 'OK' || $r['list'] !== 'OK') {
        $problems[] = "$user's page view in worker {$r['pid']}: " . json_encode($r);
    }
    if ($pooling && $r['reused'] !== isset($seen[$r['pid']][$user])) {
        $problems[] = "$user's page view in worker {$r['pid']}: " . ($r['reused'] ? 'reused' : 'fresh')
                    . ', yet the worker had ' . ($r['reused'] ? 'not ' : '') . 'logged that user in';
    }
    $seen[$r['pid']][$user] = true;
    return $r['reused'] ? 'reused' : 'fresh';
}

function params(string $user, string $password): array
{
    global $env, $imaps;
    return ['POOL_URI' => $imaps, 'POOL_USER' => $user, 'POOL_PASS' => $password, 'POOL_CA' => $env['SQAUTH_TEST_CA']];
}

/* A page view of each user in $pair at the same time: each in its own
 * worker, whichever two there are. */
function pair(FpmServer $fpm, array $pair, ?string $password = null, bool $pooling = true): string
{
    global $pass, $problems, $counters;
    $held = [];
    foreach ($pair as $u) {
        $held[] = $fpm->hold(params($u, $password ?? $pass));
    }
    $out = $last = [];
    foreach ($held as $i => $h) {
        $body = FpmServer::finish($h);
        $r = json_decode(explode("\n", $body)[0], true);
        if (!is_array($r)) {
            return "no page view: $body\n" . $fpm->log();
        }
        $out[] = "$pair[$i] " . outcome($r, $pair[$i], $pooling);
        $last[$r['pid']] = $r['pool'];
    }
    if (count($last) !== 2) {
        $problems[] = 'a held pair of requests went to one worker: ' . json_encode($last);
    }
    $counters = $last + $counters;
    return implode(', ', $out);
}

/* The pool's counters in the workers, as their last page views saw them. */
function counters(): string
{
    global $counters;
    return sprintf('size %s, entries %s, hits %d, misses %d', implode(' + ', array_column($counters, 'pool_size')),
        implode(' + ', array_column($counters, 'pool_entries')), array_sum(array_column($counters, 'pool_hits')),
        array_sum(array_column($counters, 'pool_misses')));
}

function sessions(): string
{
    global $env, $users;
    return implode(', ', array_map(fn($u) => "$u " . json_encode(pool_sessions_settled($env, $u, [])), $users));
}

function signal(int $pid, int $signal): void
{
    exec("kill -$signal $pid");
}

/* Mail connections of the master and of each worker. */
function connections(FpmServer $fpm): string
{
    global $imaps_port;
    $count = $fpm->connectionsTo($imaps_port);
    $master = $count[$fpm->pid];
    unset($count[$fpm->pid]);
    return "master $master, workers " . implode(' + ', $count);
}

$fpm = null;
try {
    echo "-- the pool on (sqauth's defaults)\n";
    $mark = pool_log_mark($env);
    $fpm = new FpmServer($dir, 2, []);
    echo "1: ", pair($fpm, [$a, $a]), "\n";
    echo "2: ", pair($fpm, [$b, $b]), "\n";
    echo "3: ", pair($fpm, [$a, $b]), "\n";
    echo "4: ", pair($fpm, [$b, $a]), "\n";
    $one_by_one = [];
    foreach ([$a, $b, $a, $b] as $u) {
        $r = json_decode($fpm->request(params($u, $pass)), true);
        $one_by_one[] = is_array($r) ? outcome($r, $u, true) : 'no page view';
    }
    echo "one after another: ", implode(', ', $one_by_one), "\n";
    echo "wrong password: ", pair($fpm, [$a, $a], 'not-' . $pass), "\n";
    echo "5: ", pair($fpm, [$a, $a]), "\n";
    echo "in the workers: ", counters(), "\n";
    echo "mail connections: ", connections($fpm), "\n";
    echo "Dovecot's sessions: $a ", json_encode(pool_sessions($env, $a)), ", $b ", json_encode(pool_sessions($env, $b)), "\n";
    $fpm->stop(3);
    echo "after a graceful stop (SIGQUIT): ", sessions(), "\n";
    echo "$a: ", pool_sessions_log($env, $mark, $a, 'logins 2, logged out 2, ended otherwise 0, refused 2'), "\n";
    echo "$b: ", pool_sessions_log($env, $mark, $b, 'logins 2, logged out 2, ended otherwise 0, refused 0'), "\n";

    echo "-- php_admin_value[sqauth.pool_size] = 0\n";
    $seen = $counters = [];
    $mark = pool_log_mark($env);
    $fpm = new FpmServer($dir, 2, ['php_admin_value[sqauth.pool_size] = 0']);
    echo "1: ", pair($fpm, [$a, $a], null, false), "\n";
    echo "2: ", pair($fpm, [$b, $b], null, false), "\n";
    echo "3: ", pair($fpm, [$a, $b], null, false), "\n";
    echo "in the workers: ", counters(), "\n";
    echo "while it runs: ", sessions(), "\n";
    $fpm->stop(3);
    echo "$a: ", pool_sessions_log($env, $mark, $a, 'logins 3, logged out 3, ended otherwise 0, refused 0'), "\n";
    echo "$b: ", pool_sessions_log($env, $mark, $b, 'logins 3, logged out 3, ended otherwise 0, refused 0'), "\n";

    echo "-- pm.max_requests = 3\n";
    $seen = $counters = [];
    $mark = pool_log_mark($env);
    $fpm = new FpmServer($dir, 2, ['pm.max_requests = 3']);
    $first = $fpm->workers;
    echo "1: ", pair($fpm, [$a, $a]), "\n";
    echo "2: ", pair($fpm, [$b, $b]), "\n";
    echo "3: ", pair($fpm, [$a, $a]), "\n";        // each worker's third request: it exits after it
    $fpm->waitForWorkers(2, $first);
    echo "both workers replaced: ", array_intersect($fpm->workers, $first) ? 'no' : 'yes', "\n";
    echo "$a: ", pool_sessions_log($env, $mark, $a, 'logins 2, logged out 2, ended otherwise 0, refused 0'), "\n";
    echo "$b: ", pool_sessions_log($env, $mark, $b, 'logins 2, logged out 2, ended otherwise 0, refused 0'), "\n";
    echo "sessions left: ", sessions(), "\n";
    $counters = [];
    echo "4: ", pair($fpm, [$a, $a]), "\n";
    echo "in the new workers: ", counters(), "\n";
    echo "mail connections: ", connections($fpm), "\n";

    echo "-- a reload (SIGUSR2: the master stops its workers gracefully and starts again)\n";
    $second = $fpm->workers;
    signal($fpm->pid, 12);
    $fpm->waitForWorkers(2, $second);
    echo "$a: ", pool_sessions_log($env, $mark, $a, 'logins 4, logged out 4, ended otherwise 0, refused 0'), "\n";
    echo "5: ", pair($fpm, [$a, $a]), "\n";

    echo "-- a fast stop (SIGTERM, what systemctl stop sends: the master kills its workers)\n";
    $fpm->stop(15);
    echo "after it: ", sessions(), "\n";
    echo "$a: ", pool_sessions_log($env, $mark, $a, 'logins 6, logged out 4, ended otherwise 2, refused 0'), "\n";
} catch (Throwable $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n", $fpm ? $fpm->log() : '', "\n";
} finally {
    $fpm?->stop(9);
}
echo $problems ? implode("\n", $problems) . "\n" : "every page view: the user's own session, logged in once per worker\n";
fpm_clean($dir);
?>
--CLEAN--
<?php
require __DIR__ . '/pool.inc';
require __DIR__ . '/fpm.inc';
fpm_clean((getenv('SQAUTH_TEST_DIR') ?: '/tmp/sqauth-test') . '/pool-fpm');
?>
--EXPECT--
-- the pool on (sqauth's defaults)
1: pool19 fresh, pool19 fresh
2: pool20 fresh, pool20 fresh
3: pool19 reused, pool20 reused
4: pool20 reused, pool19 reused
one after another: reused, reused, reused, reused
wrong password: pool19 SqAuth\AuthenticationException (16): the server refused the login: A0001 NO [AUTHENTICATIONFAILED] Authentication failed. [AUTHENTICATIONFAILED], pool19 SqAuth\AuthenticationException (16): the server refused the login: A0001 NO [AUTHENTICATIONFAILED] Authentication failed. [AUTHENTICATIONFAILED]
5: pool19 reused, pool19 reused
in the workers: size 16 + 16, entries 2 + 2, hits 10, misses 6
mail connections: master 0, workers 2 + 2
Dovecot's sessions: pool19 {"imap":2}, pool20 {"imap":2}
after a graceful stop (SIGQUIT): pool19 [], pool20 []
pool19: logins 2, logged out 2, ended otherwise 0, refused 2
pool20: logins 2, logged out 2, ended otherwise 0, refused 0
-- php_admin_value[sqauth.pool_size] = 0
1: pool19 fresh, pool19 fresh
2: pool20 fresh, pool20 fresh
3: pool19 fresh, pool20 fresh
in the workers: size 0 + 0, entries 0 + 0, hits 0, misses 6
while it runs: pool19 [], pool20 []
pool19: logins 3, logged out 3, ended otherwise 0, refused 0
pool20: logins 3, logged out 3, ended otherwise 0, refused 0
-- pm.max_requests = 3
1: pool19 fresh, pool19 fresh
2: pool20 fresh, pool20 fresh
3: pool19 reused, pool19 reused
both workers replaced: yes
pool19: logins 2, logged out 2, ended otherwise 0, refused 0
pool20: logins 2, logged out 2, ended otherwise 0, refused 0
sessions left: pool19 [], pool20 []
4: pool19 fresh, pool19 fresh
in the new workers: size 16 + 16, entries 1 + 1, hits 0, misses 2
mail connections: master 0, workers 1 + 1
-- a reload (SIGUSR2: the master stops its workers gracefully and starts again)
pool19: logins 4, logged out 4, ended otherwise 0, refused 0
5: pool19 fresh, pool19 fresh
-- a fast stop (SIGTERM, what systemctl stop sends: the master kills its workers)
after it: pool19 [], pool20 []
pool19: logins 6, logged out 4, ended otherwise 2, refused 0
every page view: the user's own session, logged in once per worker
