--TEST--
Pooled connections inside a real Apache httpd with mod_php (prefork, one child, sqauth from this build): page views log in once and reuse after; a directory's own CA (php_admin_value sqauth.cafile) is part of the pool's key, so a site with another CA never gets a session the first one verified; php_admin_value sqauth.pool_size 0 in one <Directory> turns the pool off there without logging out the sessions pooled for the others; another pool limit set per directory is refused with a warning and changes nothing; a child replaced after MaxConnectionsPerChild or by a graceful restart, a graceful stop and a stop log the pooled sessions out; the parent never holds a mail connection; the SquirrelMail plugin's configtest lines under httpd (its pool off there unless $sqauth_pool = true)
--EXTENSIONS--
sqauth
--SKIPIF--
<?php
require __DIR__ . '/skipif.inc';
require __DIR__ . '/skipif_valgrind.inc';
require __DIR__ . '/apache.inc';
if (apache_binaries() === null) die('skip httpd with mod_php not found (/usr/sbin/apache2 and /usr/lib/apache2/modules/libphp' . PHP_MAJOR_VERSION . '.' . PHP_MINOR_VERSION . '.so, or SQAUTH_TEST_APACHE and SQAUTH_TEST_APACHE_MOD_PHP; Debian package libapache2-mod-php8.2, which scripts/setup.sh installs)');
?>
--FILE--
<?php
use SqAuth\Connection;

$env = require __DIR__ . '/env.inc';
require __DIR__ . '/pool.inc';
require __DIR__ . '/apache.inc';
$users = [pool_user(21), pool_user(22)];
[$a, $b] = $users;
$pass = $env['SQAUTH_TEST_POOL_PASS'];
$imaps = pool_uri($env, 'imaps', 'IMAPS');
$dir = $env['SQAUTH_TEST_DIR'] . '/pool-apache';
apache_clean($dir);
// httpd's children run as nobody: the scripts and the CA readable by all
foreach (['', '/www', '/www/mail', '/www/off', '/www/limit', '/www/same', '/www/ca', '/www/otherca'] as $sub) {
    mkdir("$dir$sub", 0755, true);
    chmod("$dir$sub", 0755);
    if ($sub !== '' && $sub !== '/www') {
        copy(__DIR__ . '/pool_page.inc', "$dir$sub/page.php");
        chmod("$dir$sub/page.php", 0644);
    }
}
copy($env['SQAUTH_TEST_CA'], "$dir/ca.pem");
copy($env['SQAUTH_TEST_OTHER_CA'], "$dir/otherca.pem");
chmod("$dir/ca.pem", 0644);
chmod("$dir/otherca.pem", 0644);
// The SquirrelMail plugin's pool lines of configtest.php, as httpd runs them
copy(__DIR__ . '/../../contrib/squirrelmail/plugins/sqauth/functions.php', "$dir/sqauth_plugin.php");
chmod("$dir/sqauth_plugin.php", 0644);
// $sqauth_pool = true: the administrator's word, which it takes inside httpd; unset in 'ca'
foreach (['mail' => true, 'off' => true, 'ca' => false] as $sub => $enabled) {
    file_put_contents("$dir/www/$sub/configtest.php", "<?php\n\$IND = '';\nrequire '$dir/sqauth_plugin.php';\n"
                      . ($enabled ? "\$sqauth_pool = true;\n" : '') . "sqauth_sm_configtest_pool();\n");
    chmod("$dir/www/$sub/configtest.php", 0644);
}
$directories = [
    'off' => ['php_admin_value sqauth.pool_size 0'],
    'limit' => ['php_admin_value sqauth.pool_per_user 3', 'php_admin_value sqauth.scram_cache_size 5'],
    // the process's own values
    'same' => ['php_admin_value sqauth.pool_size 16', 'php_admin_value sqauth.scram_cache_size ' . ini_get('sqauth.scram_cache_size')],
    // two sites' CAs (pages that name none): a site must never get a session another CA verified
    'ca' => ["php_admin_value sqauth.cafile $dir/ca.pem"],
    'otherca' => ["php_admin_value sqauth.cafile $dir/otherca.pem"],
];

foreach ($users as $u) {
    $c = Connection::open($imaps, pool_tls($env));
    $c->login($u, $pass);
    $created = pool_imap($c->stream(), 'c', "CREATE pool-owner-$u");
    if (!preg_match('/^c (OK|NO \[ALREADYEXISTS\])/', $created)) {
        echo "CREATE pool-owner-$u: $created\n";
    }
    $c->close();
}

$problems = [];

/* A page view of $user in www/$where: "fresh" or "reused" and what moved
 * in the child's pool; checks that the session is the user's own. */
function view(ApacheServer $httpd, string $where, string $user): string
{
    global $env, $imaps, $pass, $dir, $problems;
    $body = $httpd->request("$where/page.php", ['POOL_URI' => $imaps, 'POOL_USER' => $user, 'POOL_PASS' => $pass,
                                                'POOL_CA' => in_array($where, ['ca', 'otherca'], true) ? '' : "$dir/ca.pem"]);
    $r = json_decode(explode("\n", $body)[0], true);
    if (!is_array($r)) {
        return 'no page view: ' . substr($body, 0, 200) . "\n" . $httpd->log();
    }
    if (isset($r['error'])) {
        return $r['error'];
    }
    if ($r['owner'] !== [$user] || $r['select'] !== 'OK' || $r['list'] !== 'OK') {
        $problems[] = "$user's page view in $where: " . json_encode($r);
    }
    return sprintf('%s (pool_size %s, pool_per_user %s; entries %d, hits %d, misses %d)', $r['reused'] ? 'reused' : 'fresh',
        $r['ini']['pool_size'], $r['ini']['pool_per_user'], $r['pool']['pool_entries'], $r['pool']['pool_hits'],
        $r['pool']['pool_misses']);
}

function sessions(): string
{
    global $env, $users;
    return implode(', ', array_map(fn($u) => "$u " . json_encode(pool_sessions_settled($env, $u, [])), $users));
}

/* Mail connections of the parent and of the child. */
function connections(ApacheServer $httpd): string
{
    global $env;
    $count = $httpd->connectionsTo((int)$env['SQAUTH_TEST_IMAPS_PORT']);
    $parent = $count[$httpd->pid];
    unset($count[$httpd->pid]);
    return "parent $parent, child " . implode(' + ', $count);
}

/* The lines of httpd's error log that name sqauth, its paths and times cut. */
function sqauth_warnings(ApacheServer $httpd): string
{
    preg_match_all('/PHP Warning: .*sqauth.*/', $httpd->log(), $m);
    return $m[0] ? implode("\n", array_unique(array_map(fn($l) => preg_replace('/ in \S+ on line \d+$/', '', $l), $m[0])))
                 : 'none';
}

$httpd = null;
try {
    echo "-- one child, the pool on (sqauth's defaults)\n";
    $mark = pool_log_mark($env);
    $httpd = new ApacheServer($dir, $directories);
    echo "mail $a: ", view($httpd, 'mail', $a), "\n";
    echo "mail $a: ", view($httpd, 'mail', $a), "\n";
    echo "mail $b: ", view($httpd, 'mail', $b), "\n";
    echo "off $a: ", view($httpd, 'off', $a), "\n";
    echo "off $b: ", view($httpd, 'off', $b), "\n";
    echo "mail $a: ", view($httpd, 'mail', $a), "\n";
    echo "mail $b: ", view($httpd, 'mail', $b), "\n";
    echo "limit $a: ", view($httpd, 'limit', $a), "\n";
    echo "same $b: ", view($httpd, 'same', $b), "\n";
    echo "mail $b: ", view($httpd, 'mail', $b), "\n";
    echo "ca $a: ", view($httpd, 'ca', $a), "\n";
    echo "otherca $a: ", view($httpd, 'otherca', $a), "\n";
    echo "otherca $b: ", view($httpd, 'otherca', $b), "\n";
    echo "ca $b: ", view($httpd, 'ca', $b), "\n";
    foreach (['mail', 'off', 'ca'] as $where) {
        echo "SquirrelMail's configtest in $where:\n", strip_tags(str_replace('<br />', '', $httpd->request("$where/configtest.php", []))), "\n";
    }
    echo "warnings: ", sqauth_warnings($httpd), "\n";
    echo "mail connections: ", connections($httpd), "\n";
    $httpd->stop(28);
    echo "after a graceful stop (SIGWINCH): ", sessions(), "\n";
    echo "$a: ", pool_sessions_log($env, $mark, $a, 'logins 2, logged out 2, ended otherwise 0, refused 0'), "\n";
    echo "$b: ", pool_sessions_log($env, $mark, $b, 'logins 2, logged out 2, ended otherwise 0, refused 0'), "\n";

    echo "-- MaxConnectionsPerChild 2\n";
    $mark = pool_log_mark($env);
    $httpd = new ApacheServer($dir, $directories, ['MaxConnectionsPerChild 2']);
    $first = $httpd->children;
    echo "mail $a: ", view($httpd, 'mail', $a), "\n";
    echo "mail $a: ", view($httpd, 'mail', $a), "\n";     // the child's second connection: it exits after it
    $httpd->waitForChild($first);
    echo "$a: ", pool_sessions_log($env, $mark, $a, 'logins 1, logged out 1, ended otherwise 0, refused 0'), "\n";
    echo "mail $a: ", view($httpd, 'mail', $a), "\n";
    echo "-- a graceful restart (SIGUSR1: apachectl graceful, Debian's daily log rotation)\n";
    $second = $httpd->children;
    exec("kill -USR1 {$httpd->pid}");
    $httpd->waitForChild($second);
    echo "$a: ", pool_sessions_log($env, $mark, $a, 'logins 2, logged out 2, ended otherwise 0, refused 0'), "\n";
    echo "mail $a: ", view($httpd, 'mail', $a), "\n";
    echo "mail connections: ", connections($httpd), "\n";
    echo "-- a stop (SIGTERM, what apachectl stop and systemctl stop send)\n";
    $httpd->stop(15);
    echo "after it: ", sessions(), "\n";
    echo "$a: ", pool_sessions_log($env, $mark, $a, 'logins 3, logged out 3, ended otherwise 0, refused 0'), "\n";
} catch (Throwable $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n", $httpd ? $httpd->log() : '', "\n";
} finally {
    $httpd?->stop(9);
}
echo $problems ? implode("\n", $problems) . "\n" : "every page view: the user's own session\n";
apache_clean($dir);
?>
--CLEAN--
<?php
require __DIR__ . '/pool.inc';
require __DIR__ . '/apache.inc';
apache_clean((getenv('SQAUTH_TEST_DIR') ?: '/tmp/sqauth-test') . '/pool-apache');
?>
--EXPECTF--
-- one child, the pool on (sqauth's defaults)
mail pool21: fresh (pool_size 16, pool_per_user 1; entries 1, hits 0, misses 1)
mail pool21: reused (pool_size 16, pool_per_user 1; entries 1, hits 1, misses 1)
mail pool22: fresh (pool_size 16, pool_per_user 1; entries 2, hits 1, misses 2)
off pool21: fresh (pool_size 0, pool_per_user 1; entries 2, hits 1, misses 2)
off pool22: fresh (pool_size 0, pool_per_user 1; entries 2, hits 1, misses 2)
mail pool21: reused (pool_size 16, pool_per_user 1; entries 2, hits 2, misses 2)
mail pool22: reused (pool_size 16, pool_per_user 1; entries 2, hits 3, misses 2)
limit pool21: reused (pool_size 16, pool_per_user 1; entries 2, hits 4, misses 2)
same pool22: reused (pool_size 16, pool_per_user 1; entries 2, hits 5, misses 2)
mail pool22: reused (pool_size 16, pool_per_user 1; entries 2, hits 6, misses 2)
ca pool21: reused (pool_size 16, pool_per_user 1; entries 2, hits 7, misses 2)
otherca pool21: SqAuth\TlsException (14): certificate verify failed: unable to get local issuer certificate (depth 0); the CA that signed the server's certificate is not among those of php.ini sqauth.cafile: add it there, or pass it as 'cafile' (or 'capath')
otherca pool22: SqAuth\TlsException (14): certificate verify failed: unable to get local issuer certificate (depth 0); the CA that signed the server's certificate is not among those of php.ini sqauth.cafile: add it there, or pass it as 'cafile' (or 'capath')
ca pool22: reused (pool_size 16, pool_per_user 1; entries 2, hits 8, misses 4)
SquirrelMail's configtest in mail:
sqauth: pooled IMAP logins on: each PHP process keeps up to 16 logged-in IMAP connections, 1 per user, for the next page views (logged out after 300 s unused; php.ini sqauth.pool_*, $sqauth_pool = false turns it off); this process now: 2 kept, 8 reused, 4 fresh logins
sqauth: under Apache httpd every child keeps its own pool, and a user's page views go to the idle children in turn: keep the IMAP server's per-user limit (Dovecot: mail_max_userip_connections, 10 by default) above the number of children httpd runs, or page views are refused (see the plugin's README)

SquirrelMail's configtest in off:
sqauth: pooled IMAP logins off: sqauth.pool_size = 0 (php.ini, or php_admin_value for this directory); every page view logs in to IMAP

SquirrelMail's configtest in ca:
sqauth: pooled IMAP logins off: $sqauth_pool is not set, and inside Apache httpd every child keeps its own pool: set $sqauth_pool = true in config/config_local.php once the IMAP server allows each user more connections than httpd runs children (Dovecot: mail_max_userip_connections, 10 by default); every page view logs in to IMAP

warnings: PHP Warning:  %ssqauth.pool_per_user cannot be set for one directory or request: it sizes what the whole process shares; set it in php.ini (for a directory only sqauth.pool_size = 0 is allowed: no pooled connections there)
PHP Warning:  %ssqauth.scram_cache_size cannot be set for one directory or request: it sizes what the whole process shares; set it in php.ini
mail connections: parent 0, child 2
after a graceful stop (SIGWINCH): pool21 [], pool22 []
pool21: logins 2, logged out 2, ended otherwise 0, refused 0
pool22: logins 2, logged out 2, ended otherwise 0, refused 0
-- MaxConnectionsPerChild 2
mail pool21: fresh (pool_size 16, pool_per_user 1; entries 1, hits 0, misses 1)
mail pool21: reused (pool_size 16, pool_per_user 1; entries 1, hits 1, misses 1)
pool21: logins 1, logged out 1, ended otherwise 0, refused 0
mail pool21: fresh (pool_size 16, pool_per_user 1; entries 1, hits 0, misses 1)
-- a graceful restart (SIGUSR1: apachectl graceful, Debian's daily log rotation)
pool21: logins 2, logged out 2, ended otherwise 0, refused 0
mail pool21: fresh (pool_size 16, pool_per_user 1; entries 1, hits 0, misses 1)
mail connections: parent 0, child 1
-- a stop (SIGTERM, what apachectl stop and systemctl stop send)
after it: pool21 [], pool22 []
pool21: logins 3, logged out 3, ended otherwise 0, refused 0
every page view: the user's own session