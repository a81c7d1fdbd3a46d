--TEST--
A sign-out (forgetPooled()) served by one PHP-FPM worker reaches the other worker's pool: that worker logs the user's kept session out at its next page view (of anyone), and the user's next page view there is a fresh login; another user's sessions stay; features() says the sign-outs are shared
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
$env = require __DIR__ . '/env.inc';
require __DIR__ . '/pool.inc';
require __DIR__ . '/fastcgi.inc';
require __DIR__ . '/fpm.inc';
[$a, $b] = [pool_user(23), pool_user(24)];
$pass = $env['SQAUTH_TEST_POOL_PASS'];
$dir = $env['SQAUTH_TEST_DIR'] . '/pool-fpm-signout';
fpm_clean($dir);
mkdir($dir, 0700, true);
copy(__DIR__ . '/pool_page.inc', "$dir/page.php");

function params(string $user, array $more = []): array
{
    global $env, $pass;
    return ['POOL_URI' => pool_uri($env, 'imaps', 'IMAPS'), 'POOL_USER' => $user, 'POOL_PASS' => $pass,
            'POOL_CA' => $env['SQAUTH_TEST_CA']] + $more;
}

/* Page views at the same time, one per worker: "user worker reused|fresh|signed out (n)". */
function both(FpmServer $fpm, array $views): string
{
    global $workers;
    $held = array_map(fn($v) => $fpm->hold($v), $views);
    $out = [];
    foreach ($held as $i => $h) {
        $r = json_decode(explode("\n", FpmServer::finish($h))[0], true);
        if (!is_array($r) || isset($r['error'])) {
            return 'no page view: ' . json_encode($r) . "\n" . $fpm->log();
        }
        $workers[$r['pid']] ??= 'worker ' . (count($workers) + 1);
        $out[$r['pid']] = "{$views[$i]['POOL_USER']} {$workers[$r['pid']]} "
            . (isset($r['forgotten']) ? "signed out ({$r['forgotten']})" : ($r['reused'] ? 'reused' : 'fresh'));
    }
    sort($out);
    return count($out) === 2 ? implode(', ', $out) : 'both went to one worker: ' . implode(', ', $out);
}

$workers = [];
$fpm = null;
try {
    $fpm = new FpmServer($dir, 2, []);
    $mark = pool_log_mark($env);
    echo "1: ", both($fpm, [params($a), params($a)]), "\n";
    echo "2: ", both($fpm, [params($b), params($b)]), "\n";
    echo "Dovecot's sessions: $a ", json_encode(pool_sessions($env, $a)), ", $b ", json_encode(pool_sessions($env, $b)), "\n";
    // The sign-out in one worker while the other serves $b's page view: each worker busy, so one of each
    echo "3: ", both($fpm, [params($a, ['POOL_SIGNOUT' => '1']), params($b)]), "\n";
    echo "4: ", both($fpm, [params($b), params($b)]), "\n";
    echo "after $b's page views in both workers: $a ", json_encode(pool_sessions_settled($env, $a, [])), "\n";
    echo "$a: ", pool_sessions_log($env, $mark, $a, 'logins 2, logged out 2, ended otherwise 0, refused 0'), "\n";
    echo "5: ", both($fpm, [params($a), params($a)]), "\n";
    $r = json_decode($fpm->request(params($b)), true);
    echo "sessions forgotten in the worker that served the next page view: ", $r['pool']['pool_forgotten'], "\n";
    $fpm->stop(3);
    echo "$a: ", pool_sessions_log($env, $mark, $a, 'logins 4, logged out 4, ended otherwise 0, refused 0'), "\n";
    echo "$b: ", pool_sessions_log($env, $mark, $b, 'logins 2, logged out 2, ended otherwise 0, refused 0'), "\n";
} catch (Throwable $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n", $fpm ? $fpm->log() : '', "\n";
} finally {
    $fpm?->stop(9);
}
var_dump(SqAuth\features()['pool_shared_signouts']);
?>
--EXPECTF--
1: pool23 worker %d fresh, pool23 worker %d fresh
2: pool24 worker %d fresh, pool24 worker %d fresh
Dovecot's sessions: pool23 {"imap":2}, pool24 {"imap":2}
3: pool23 worker %d signed out (1), pool24 worker %d reused
4: pool24 worker %d reused, pool24 worker %d reused
after pool24's page views in both workers: pool23 []
pool23: logins 2, logged out 2, ended otherwise 0, refused 0
5: pool23 worker %d fresh, pool23 worker %d fresh
sessions forgotten in the worker that served the next page view: 1
pool23: logins 4, logged out 4, ended otherwise 0, refused 0
pool24: logins 2, logged out 2, ended otherwise 0, refused 0
bool(true)
