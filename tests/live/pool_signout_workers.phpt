--TEST--
A sign-out (forgetPooled()) or a login form served by one worker reaches the other worker's pool, in a real PHP-FPM (2 workers) and a real Apache httpd with mod_php (2 prefork children): the other worker logs the user's kept session out at its next page view (of anyone), and the user's next page view there is a fresh login; another user's sessions stay; a login form's login ('reuse' => false) the server accepts replaces the user's kept session in the other worker the same way, and the form's own session is reused in its worker; every session ends with a LOGOUT; features() says the sign-outs are shared
--EXTENSIONS--
sqauth
--SKIPIF--
<?php
require __DIR__ . '/skipif.inc';
require __DIR__ . '/skipif_valgrind.inc';
require __DIR__ . '/fpm.inc';
require __DIR__ . '/pool.inc';
require __DIR__ . '/apache.inc';
if (fpm_binary() === null) die('skip php-fpm not found (/usr/sbin/php-fpm' . PHP_MAJOR_VERSION . '.' . PHP_MINOR_VERSION . ' or SQAUTH_TEST_PHP_FPM; Debian package php8.2-fpm, which scripts/setup.sh installs)');
if (apache_binaries() === null) die('skip Apache httpd with mod_php not found (Debian package libapache2-mod-php8.2, which scripts/setup.sh installs)');
?>
--FILE--
<?php
$env = require __DIR__ . '/env.inc';
require __DIR__ . '/pool.inc';
require __DIR__ . '/fastcgi.inc';
require __DIR__ . '/fpm.inc';
require __DIR__ . '/apache.inc';
$pass = $env['SQAUTH_TEST_POOL_PASS'];
$base = $env['SQAUTH_TEST_DIR'];

/* The page's parameters for $user (and $more). */
function params(string $user, array $more = []): array
{
    global $env, $pass, $ca;
    return ['POOL_URI' => pool_uri($env, 'imaps', 'IMAPS'), 'POOL_USER' => $user, 'POOL_PASS' => $pass,
            'POOL_CA' => $ca] + $more;
}

/* Page views at the same time, held open so that each worker takes one:
 * "user worker N reused|fresh|signed out (n)". $hold(params) and
 * $finish(held): the server's. */
function both(callable $hold, callable $finish, array $views): string
{
    global $workers, $seen;
    $held = array_map($hold, $views);
    $out = $seen = [];
    foreach ($held as $i => $h) {
        $r = json_decode(explode("\n", $finish($h))[0], true);
        if (!is_array($r) || isset($r['error'])) {
            return 'no page view: ' . json_encode($r);
        }
        $workers[$r['pid']] ??= 'worker ' . (count($workers) + 1);
        $what = isset($r['forgotten']) ? "signed out ({$r['forgotten']})" : ($r['reused'] ? 'reused' : 'fresh');
        $seen[$r['pid']] = ['view' => $views[$i], 'what' => $what];
        $out[] = ["{$views[$i]['POOL_USER']} $what", "{$views[$i]['POOL_USER']} {$workers[$r['pid']]} $what"];
    }
    sort($out);
    $out = array_column($out, 1);
    return count($seen) === 2 ? implode(', ', $out) : 'both went to one worker: ' . implode(', ', $out);
}

/* The worker of the last both() whose view had $param. */
function worker_with(string $param): ?int
{
    global $seen;
    foreach ($seen as $pid => $v) {
        if (isset($v['view'][$param])) {
            return $pid;
        }
    }
    return null;
}

/* Two users' page views in both workers, a sign-out of the first in one
 * while the other serves the second, and what follows. */
function scenario(callable $hold, callable $finish, string $a, string $b): int
{
    global $env, $workers, $seen;
    $workers = [];
    $mark = pool_log_mark($env);
    echo "1: ", both($hold, $finish, [params($a), params($a)]), "\n";
    echo "2: ", both($hold, $finish, [params($b), params($b)]), "\n";
    echo "Dovecot's sessions: $a ", json_encode(pool_sessions($env, $a)), ", $b ", json_encode(pool_sessions($env, $b)), "\n";
    echo "3: ", both($hold, $finish, [params($a, ['POOL_SIGNOUT' => '1']), params($b)]), "\n";
    echo "4: ", both($hold, $finish, [params($b), params($b)]), "\n";
    echo "after $b's page views in both workers: $a ", json_encode(pool_sessions_settled($env, $a, [])), "\n";
    echo "$a: ", pool_sessions_log($env, $mark, $a, 'logins 2, logged out 2, ended otherwise 0, refused 0'), "\n";
    echo "5: ", both($hold, $finish, [params($a), params($a)]), "\n";
    // the login form first: it has logged in and released before the other view begins
    echo "6: ", both($hold, $finish, [params($a, ['POOL_FORM' => '1']), params($b)]), "\n";
    $form = worker_with('POOL_FORM');
    echo "after the login form and $b's page view: $a ", json_encode(pool_sessions_settled($env, $a, ['imap' => 1])), "\n";
    echo "7: ", both($hold, $finish, [params($a), params($a)]), "\n";
    echo "the login form's worker: ", $seen[$form]['what'] ?? 'none', "\n";
    return $mark;
}

/* After the server's graceful stop: every session logged out. */
function ended(int $mark, string $a, string $b): void
{
    global $env;
    echo "$a: ", pool_sessions_log($env, $mark, $a, 'logins 6, logged out 6, ended otherwise 0, refused 0'), "\n";
    echo "$b: ", pool_sessions_log($env, $mark, $b, 'logins 2, logged out 2, ended otherwise 0, refused 0'), "\n";
}

echo "-- PHP-FPM, 2 workers\n";
$dir = "$base/pool-signout-fpm";
fpm_clean($dir);
mkdir($dir, 0700, true);
copy(__DIR__ . '/pool_page.inc', "$dir/page.php");
$ca = $env['SQAUTH_TEST_CA'];
$fpm = null;
try {
    $fpm = new FpmServer($dir, 2, []);
    $mark = scenario(fn($q) => $fpm->hold($q), fn($h) => FpmServer::finish($h), pool_user(23), pool_user(24));
    $r = json_decode($fpm->request(params(pool_user(24))), true);
    echo "sqauth in the worker: pool_shared_signouts ", json_encode($r['shared'] ?? null), "\n";
    $fpm->stop(3);
    ended($mark, pool_user(23), pool_user(24));
} catch (Throwable $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n", $fpm ? $fpm->log() : '', "\n";
} finally {
    $fpm?->stop(9);
}

echo "-- Apache httpd, 2 prefork children\n";
$dir = "$base/pool-signout-apache";
apache_clean($dir);
// the children run as nobody: the page and the CA readable by all
mkdir("$dir/www", 0755, true);
chmod($dir, 0755);
chmod("$dir/www", 0755);
copy(__DIR__ . '/pool_page.inc', "$dir/www/page.php");
copy($env['SQAUTH_TEST_CA'], $ca = "$dir/ca.pem");
chmod("$dir/www/page.php", 0644);
chmod($ca, 0644);
$httpd = null;
try {
    $httpd = new ApacheServer($dir, [], [], 2);
    $mark = scenario(fn($q) => $httpd->hold('page.php', $q), fn($h) => ApacheServer::finish($h), pool_user(25), pool_user(26));
    $httpd->stop(28);
    ended($mark, pool_user(25), pool_user(26));
} catch (Throwable $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n", $httpd ? $httpd->log() : '', "\n";
} finally {
    $httpd?->stop(9);
}
?>
--EXPECTF--
-- PHP-FPM, 2 workers
1: pool23 worker %d fresh, pool23 worker %d fresh
2: pool24 worker %d fresh, pool24 worker %d fresh
Dovecot's sessions: pool23 {"imap":2}, pool24 {"imap":2}
3: pool23 worker %d signed out (1), pool24 worker %d reused
4: pool24 worker %d reused, pool24 worker %d reused
after pool24's page views in both workers: pool23 []
pool23: logins 2, logged out 2, ended otherwise 0, refused 0
5: pool23 worker %d fresh, pool23 worker %d fresh
6: pool23 worker %d fresh, pool24 worker %d reused
after the login form and pool24's page view: pool23 {"imap":1}
7: pool23 worker %d fresh, pool23 worker %d reused
the login form's worker: reused
sqauth in the worker: pool_shared_signouts true
pool23: logins 6, logged out 6, ended otherwise 0, refused 0
pool24: logins 2, logged out 2, ended otherwise 0, refused 0
-- Apache httpd, 2 prefork children
1: pool25 worker %d fresh, pool25 worker %d fresh
2: pool26 worker %d fresh, pool26 worker %d fresh
Dovecot's sessions: pool25 {"imap":2}, pool26 {"imap":2}
3: pool25 worker %d signed out (1), pool26 worker %d reused
4: pool26 worker %d reused, pool26 worker %d reused
after pool26's page views in both workers: pool25 []
pool25: logins 2, logged out 2, ended otherwise 0, refused 0
5: pool25 worker %d fresh, pool25 worker %d fresh
6: pool25 worker %d fresh, pool26 worker %d reused
after the login form and pool26's page view: pool25 {"imap":1}
7: pool25 worker %d fresh, pool25 worker %d reused
the login form's worker: reused
pool25: logins 6, logged out 6, ended otherwise 0, refused 0
pool26: logins 2, logged out 2, ended otherwise 0, refused 0
