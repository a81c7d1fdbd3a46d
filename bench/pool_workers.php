<?php
/**
 * Pooled connections in PHP worker processes: the hit rate and the server
 * connections per user when N workers serve a stream of page views for M
 * users (issue 12, item 4).
 *
 * Run from the project root, as root (doveadm counts the sessions), with the
 * test servers up, inside their network namespace:
 *
 *   php -n -d extension=modules/sqauth.so bench/pool_workers.php [--workers=4] [--users=10,50]
 *       [--views=800] [--concurrency=4] [--pool-size=16] [--per-user=1] [--server=cli] [--json]
 *
 * Options:
 *   --workers=N       PHP processes answering requests (default 4)
 *   --server=S        cli (default): PHP's built-in server with PHP_CLI_SERVER_WORKERS=N-1 (the
 *                     server process answers too); apache: Apache httpd with mod_php, prefork
 *                     with exactly N children (Debian's libapache2-mod-php8.2; tests/live/apache.inc
 *                     starts it with a configuration of its own), the classic SquirrelMail set-up
 *   --users=M,M2      user counts, one run each (default 10,50; at most SQAUTH_TEST_POOL_USERS)
 *   --views=V         page views per run (default 800)
 *   --concurrency=C   page views in flight at once (default 4)
 *   --pool-size=S     sqauth.pool_size of the workers (default 16, the default)
 *   --per-user=P      sqauth.pool_per_user of the workers (default 1, the default)
 *   --json            print the results as JSON instead of a table
 *
 * A page view (the workers' router script): Connection::pooledLogin() to the
 * test Dovecot over IMAPS with the test CA, SELECT INBOX, NOOP, release().
 * Each view's user is drawn uniformly at random (fixed seed) from the accounts
 * pool01 ... poolM, so that every user comes back at random: the pessimistic
 * case (a real user clicks through several pages in a row). The client keeps
 * C page views in flight (raw HTTP/1.0 over non-blocking sockets).
 *
 * Reported per run: the page views that failed (the server's limits are part
 * of what this measures: Dovecot refuses a user's 11th session from one
 * address and drops connections once its login processes reach their
 * process_limit; the first failure is shown), the hit rate (page views
 * served by a pooled connection),
 * the fresh logins, evictions and expirations over all workers, the median
 * time of a page view inside the worker with a fresh login and with a pooled
 * connection, and the IMAP sessions Dovecot holds per user at the end
 * (doveadm who, while the workers still run): the number to hold against
 * Dovecot's mail_max_userip_connections (10 by default). Every page view is
 * checked (its NOOP answered OK, or counted as failed); the workers are stopped after each run and
 * the bench checks that no session is left. No timing assertions.
 */

const SCRIPT = 'bench/pool_workers.php';
require __DIR__ . '/common.inc';

$opt = parse_options($argv, ['workers', 'users', 'views', 'concurrency', 'pool-size', 'per-user', 'server', 'json']);
$SERVER = (string)($opt['server'] ?? 'cli');
if (!in_array($SERVER, ['cli', 'apache'], true)) {
    fail("--server: \"$SERVER\" is neither cli nor apache");
}
$N = int_opt($opt, 'workers', 4);
$VIEWS = int_opt($opt, 'views', 800);
$C = int_opt($opt, 'concurrency', 4);
$POOL_SIZE = int_opt($opt, 'pool-size', 16, 0);
$PER_USER = int_opt($opt, 'per-user', 1);
$JSON = isset($opt['json']);
$USERS = array_map('intval', explode(',', (string)($opt['users'] ?? '10,50')));

if (!extension_loaded('sqauth')) {
    fail('the sqauth extension is not loaded; run: php -n -d extension=modules/sqauth.so ' . SCRIPT);
}
$ENV = test_env();
$max_users = (int)($ENV['SQAUTH_TEST_POOL_USERS'] ?? 0);
foreach ($USERS as $m) {
    if ($m < 1 || $m > $max_users) {
        fail("--users: $m is not between 1 and SQAUTH_TEST_POOL_USERS ($max_users): restart the servers with more");
    }
}
need_servers([$ENV['SQAUTH_TEST_CA']], '127.0.0.1', [(int)$ENV['SQAUTH_TEST_IMAPS_PORT']]);
if ($SERVER === 'apache') {
    require __DIR__ . '/../tests/live/pool.inc';
    require __DIR__ . '/../tests/live/apache.inc';
    if (apache_binaries() === null) {
        fail('--server=apache: httpd with mod_php not found (Debian: libapache2-mod-php8.2, which scripts/setup.sh installs)');
    }
}
if (!is_readable($ENV['SQAUTH_TEST_DOVECOT_CONF'] ?? '')) {
    fail('SQAUTH_TEST_DOVECOT_CONF is missing from the environment: restart the servers (tests/setup/servers.sh)');
}

/* The sqauth.so this process loaded, for the workers. */
function extension_path(): string
{
    foreach (file('/proc/self/maps') ?: [] as $line) {
        if (preg_match('#\s(/\S*/sqauth\.so)$#', rtrim($line), $m)) {
            return $m[1];
        }
    }
    fail('cannot find the loaded sqauth.so in /proc/self/maps');
}

/** IMAP sessions per user of the pool accounts (doveadm who). */
function sessions(array $env): array
{
    exec('doveadm -c ' . escapeshellarg($env['SQAUTH_TEST_DOVECOT_CONF']) . ' who -1 2>&1', $lines, $rc);
    if ($rc !== 0) {
        fail('doveadm who: ' . implode(' ', $lines));
    }
    $n = [];
    foreach ($lines as $l) {
        $f = preg_split('/\s+/', trim($l));
        if (preg_match('/^(pool\d+)@/', $f[0], $m) && ($f[1] ?? '') === 'imap') {
            $n[$m[1]] = ($n[$m[1]] ?? 0) + 1;
        }
    }
    return $n;
}

function stop_tree(int $pid): void
{
    $pids = [$pid];
    foreach (glob('/proc/[0-9]*/stat') as $stat) {
        $f = explode(' ', (string)@file_get_contents($stat));
        if (isset($f[3]) && (int)$f[3] === $pid) {
            $pids[] = (int)$f[0];
        }
    }
    exec('kill -TERM ' . implode(' ', $pids) . ' 2>/dev/null');
    usleep(300000);
    exec('kill -KILL ' . implode(' ', $pids) . ' 2>/dev/null');
}

// After the constants POOL_URI, POOL_PASS and POOL_CA.
const ROUTER = <<<'PHP'
// One page view: a pooled IMAP login, SELECT INBOX, NOOP, release.
$t = hrtime(true);
$before = SqAuth\features();
$ok = false;
try {
    $c = SqAuth\Connection::pooledLogin(POOL_URI, $_GET['user'], POOL_PASS,
                                        ['cafile' => POOL_CA, 'peer_name' => 'localhost', 'timeout' => 5]);
    $s = $c->stream();
    foreach (['s SELECT INBOX', 'n NOOP'] as $cmd) {
        fwrite($s, "$cmd\r\n");
        $tag = strtok($cmd, ' ');
        while (($l = fgets($s)) !== false && !str_starts_with($l, "$tag ")) {
        }
        $ok = $l !== false && str_starts_with($l, "$tag OK");
    }
    $reused = $c->isReused();
    $c->release();
    $error = null;
} catch (Throwable $e) {
    $reused = false;
    $error = get_class($e) . ': ' . $e->getMessage();
}
$after = SqAuth\features();
echo json_encode(['pid' => getmypid(), 'reused' => $reused, 'ok' => $ok, 'error' => $error,
                  'ms' => (hrtime(true) - $t) / 1e6,
                  'evictions' => $after['pool_evictions'] - $before['pool_evictions'],
                  'expired' => $after['pool_expired'] - $before['pool_expired'],
                  'discards' => $after['pool_discards'] - $before['pool_discards']]);
PHP;

/**
 * Sends $views page views with $c in flight; returns the decoded answers.
 * $pick() gives the user of the next page view.
 */
function drive(int $port, int $views, int $c, callable $pick): array
{
    $inflight = [];
    $answers = [];
    $sent = 0;
    while ($sent < $views || $inflight) {
        while ($sent < $views && count($inflight) < $c) {
            $s = stream_socket_client("tcp://127.0.0.1:$port", $errno, $errstr, 10);
            if (!$s) {
                fail("cannot reach the workers: $errstr");
            }
            fwrite($s, "GET /router.php?user=" . $pick() . " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
            stream_set_blocking($s, false);
            $inflight[(int)$s] = [$s, ''];
            $sent++;
        }
        $r = array_column($inflight, 0);
        $w = $e = null;
        if (stream_select($r, $w, $e, 30) === 0) {
            fail('no answer from the workers for 30 s');
        }
        foreach ($r as $s) {
            $chunk = fread($s, 65536);
            $inflight[(int)$s][1] .= (string)$chunk;
            if ($chunk === '' && feof($s)) {
                $body = substr($inflight[(int)$s][1], strpos($inflight[(int)$s][1], "\r\n\r\n") + 4);
                $answers[] = json_decode($body, true) ?? ['ok' => false, 'error' => 'not JSON: ' . substr($body, 0, 200)];
                fclose($s);
                unset($inflight[(int)$s]);
            }
        }
    }
    return $answers;
}

$results = [];
$t_start = hrtime(true);
foreach ($USERS as $M) {
    $dir = sys_get_temp_dir() . '/sqauth-pool-workers-' . getmypid();
    @mkdir("$dir/www", 0755, true);
    // httpd's children run as nobody when it was started by root: the page and the CA readable by all
    chmod($dir, 0755);
    copy($ENV['SQAUTH_TEST_CA'], "$dir/ca.pem");
    chmod("$dir/ca.pem", 0644);
    file_put_contents("$dir/www/router.php", '<?php const POOL_URI = '
        . var_export("imaps://127.0.0.1:{$ENV['SQAUTH_TEST_IMAPS_PORT']}", true) . '; const POOL_PASS = '
        . var_export($ENV['SQAUTH_TEST_POOL_PASS'], true) . '; const POOL_CA = ' . var_export("$dir/ca.pem", true) . ";\n" . ROUTER);
    chmod("$dir/www/router.php", 0644);
    if ($SERVER === 'apache') {
        try {
            $httpd = new ApacheServer($dir, [], [], $N, ["sqauth.pool_size=$POOL_SIZE", "sqauth.pool_per_user=$PER_USER"]);
        } catch (RuntimeException $e) {
            fail($e->getMessage());
        }
        $port = $httpd->port;
    } else {
        $s = stream_socket_server('tcp://127.0.0.1:0');
        $port = (int)substr(strrchr(stream_socket_get_name($s, false), ':'), 1);
        fclose($s);
        $server = proc_open([PHP_BINARY, '-n', '-d', 'extension=' . extension_path(), '-d', "sqauth.pool_size=$POOL_SIZE",
                             '-d', "sqauth.pool_per_user=$PER_USER", '-S', "127.0.0.1:$port", "$dir/www/router.php"],
            [0 => ['file', '/dev/null', 'r'], 1 => ['file', "$dir/server.log", 'w'], 2 => ['file', "$dir/server.log", 'a']],
            $pipes, $dir, ['PHP_CLI_SERVER_WORKERS' => (string)($N - 1)] + getenv());
        for ($i = 0; $i < 100 && !($probe = @stream_socket_client("tcp://127.0.0.1:$port", $errno, $errstr, 1)); $i++) {
            usleep(50000);
        }
        if (empty($probe)) {
            fail("the built-in server did not start (log: $dir/server.log)");
        }
        fclose($probe);
    }
    mt_srand(12);
    $answers = drive($port, $VIEWS, $C, fn() => sprintf('pool%02d', mt_rand(1, $M)));
    $held = sessions($ENV);
    if ($SERVER === 'apache') {
        $httpd->stop(28);     // graceful: the children log their pooled sessions out
    } else {
        stop_tree(proc_get_status($server)['pid']);
        proc_close($server);
    }
    exec('rm -rf ' . escapeshellarg($dir));

    // A failed page view is a result here, not a broken bench: the server's
    // limits (connections per user, login processes) are what this measures.
    $bad = array_filter($answers, fn($a) => !$a['ok']);
    $answers = array_filter($answers, fn($a) => $a['ok']);
    $hits = count(array_filter($answers, fn($a) => $a['reused']));
    $fresh_ms = array_column(array_filter($answers, fn($a) => !$a['reused']), 'ms');
    $pooled_ms = array_column(array_filter($answers, fn($a) => $a['reused']), 'ms');
    $per_user = $held ? array_values($held) : [0];
    for ($i = 0; $i < 50 && ($left = array_sum(sessions($ENV))) > 0; $i++) {
        usleep(100000);
    }
    $results["M=$M"] = [
        'workers_answering' => count(array_unique(array_column($answers, 'pid'))),
        'users' => $M,
        'page_views' => $VIEWS,
        'failed' => count($bad),
        'first_failure' => $bad ? (reset($bad)['error'] ?? 'NOOP not OK') : null,
        'hit_rate' => round($hits / $VIEWS, 3),
        'fresh_logins' => count($answers) - $hits,
        'evictions' => array_sum(array_column($answers, 'evictions')),
        'expired' => array_sum(array_column($answers, 'expired')),
        'discards' => array_sum(array_column($answers, 'discards')),
        'page_view_ms_fresh' => $fresh_ms ? round(median($fresh_ms), 2) : null,
        'page_view_ms_pooled' => $pooled_ms ? round(median($pooled_ms), 2) : null,
        'sessions_per_user_mean' => round(array_sum($per_user) / $M, 2),
        'sessions_per_user_max' => max($per_user),
        'sessions_total' => array_sum($per_user),
        'sessions_left_after_stop' => $left,
    ];
}
$elapsed = (hrtime(true) - $t_start) / 1e9;

$env = ['php' => PHP_VERSION, 'sqauth' => phpversion('sqauth'), 'cpu' => machine()['cpu'], 'cpus' => machine()['cpus'],
        'server' => $SERVER, 'workers' => $N, 'concurrency' => $C, 'pool_size' => $POOL_SIZE, 'pool_per_user' => $PER_USER,
        'elapsed_s' => round($elapsed, 1)];
if ($JSON) {
    print_json(['environment' => $env, 'runs' => $results]);
}
printf("sqauth %s pooled connections in %d PHP workers (%s), %d page views in flight, "
       . "sqauth.pool_size=%d, pool_per_user=%d\n", $env['sqauth'], $N,
       $SERVER === 'apache' ? 'Apache httpd prefork children, mod_php' : 'built-in server', $C, $POOL_SIZE, $PER_USER);
printf("page view = pooledLogin (IMAPS) + SELECT INBOX + NOOP + release; users drawn uniformly at random\n\n");
printf("  %-6s %6s %7s %8s %7s %9s %8s %10s %10s %14s %14s\n", 'users', 'views', 'failed', 'hit rate', 'fresh', 'evictions',
       'expired', 'fresh ms', 'pooled ms', 'sessions/user', 'sessions total');
foreach ($results as $r) {
    printf("  %-6d %6d %7d %7.1f%% %7d %9d %8d %10s %10s %8.2f (max %d) %9d\n", $r['users'], $r['page_views'], $r['failed'],
           100 * $r['hit_rate'], $r['fresh_logins'], $r['evictions'], $r['expired'], $r['page_view_ms_fresh'] ?? '-',
           $r['page_view_ms_pooled'] ?? '-', $r['sessions_per_user_mean'], $r['sessions_per_user_max'], $r['sessions_total']);
    if ($r['first_failure']) {
        printf("    first failure: %s\n", $r['first_failure']);
    }
}
printf("\nsessions/user: IMAP sessions Dovecot holds per user at the end of the run, with the workers idle\n"
       . "(compare with mail_max_userip_connections, 10 by default). Sessions left after the workers stopped: %s.\n"
       . "Total: %.1f s\n", implode(', ', array_map(fn($r) => (string)$r['sessions_left_after_stop'], $results)), $elapsed);
exit(0);
