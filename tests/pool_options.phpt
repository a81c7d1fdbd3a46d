--TEST--
Connection::pooled()/pooledLogin() without a server: argument errors name the argument (open()'s and the login's options in one array; a callable 'token' is refused: the pool is keyed by the token), a refused connection is the caller's ConnectionException and a miss; the php.ini settings are INI_SYSTEM and shown by phpinfo(), a bad value is a startup warning and keeps the default
--EXTENSIONS--
sqauth
--FILE--
<?php
use SqAuth\Connection;

$nowhere = 'imaps://127.0.0.1:1';
$calls = [
    'unknown option' => fn() => Connection::pooled($nowhere, 'PLAIN', 'u', 'p', ['no_such_option' => 1]),
    'open() option of the wrong type' => fn() => Connection::pooled($nowhere, 'PLAIN', 'u', 'p', ['timeout' => 'soon']),
    'login option of the wrong type' => fn() => Connection::pooled($nowhere, 'PLAIN', 'u', 'p', ['realm' => 1]),
    'a callable token' => fn() => Connection::pooled($nowhere, 'XOAUTH2', 'u', '', ['token' => fn(bool $refresh) => 't']),
    'pooledLogin: an authenticate() option' => fn() => Connection::pooledLogin($nowhere, 'u', 'p', ['realm' => 'x']),
    'pooledLogin: allow_plaintext not a bool' => fn() => Connection::pooledLogin($nowhere, 'u', 'p', ['allow_plaintext' => 1]),
    'a malformed URI' => fn() => Connection::pooledLogin('imaps://user@host', 'u', 'p'),
    'an integer key' => fn() => Connection::pooledLogin($nowhere, 'u', 'p', [1 => true]),
];
foreach ($calls as $what => $call) {
    try {
        $call();
        echo "$what: no error\n";
    } catch (Throwable $e) {
        echo "$what: ", get_class($e), ': ', $e->getMessage(), "\n";
    }
}

$f = SqAuth\features();
try {
    Connection::pooledLogin($nowhere, 'u', 'p', ['timeout' => 2]);
} catch (SqAuth\ConnectionException $e) {
    echo 'refused: ', get_class($e), ' (', $e->getCode(), ")\n";
}
$g = SqAuth\features();
echo 'misses +', $g['pool_misses'] - $f['pool_misses'], ', entries ', $g['pool_entries'], "\n";

foreach (['sqauth.pool_size', 'sqauth.pool_per_user', 'sqauth.pool_idle_timeout', 'sqauth.pool_max_lifetime', 'sqauth.pool_check_after'] as $name) {
    printf("%s = %s, ini_set: %s\n", $name, ini_get($name), var_export(ini_set($name, '7'), true));
}
ob_start();
phpinfo(INFO_MODULES);
preg_match('/^Connection pool => .*$/m', ob_get_clean(), $m);
echo $m[0], "\n";

/* Values out of range, or not numbers: PHP's startup warning, default kept. */
$so = ini_get('extension_dir') . '/sqauth.so';
if (!is_file($so)) {
    $so = __DIR__ . '/../modules/sqauth.so';
}
foreach (['sqauth.pool_size=10001', 'sqauth.pool_per_user=0', 'sqauth.pool_idle_timeout=0', 'sqauth.pool_check_after=soon',
          'sqauth.pool_size=2.5'] as $bad) {
    $p = proc_open([PHP_BINARY, '-n', '-d', 'display_startup_errors=1', '-d', "extension=$so", '-d', $bad,
                    '-r', '$f = SqAuth\features(); echo $f["pool_size"], " ", ini_get("' . strtok($bad, '=') . '"), "\n";'],
                   [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['redirect', 1]], $pipes);
    $out = stream_get_contents($pipes[1]);
    proc_close($p);
    echo "$bad: ", trim(preg_replace('/\s+/', ' ', $out)), "\n";
}
?>
--EXPECT--
unknown option: ValueError: SqAuth\Connection::pooled(): Argument #5 ($options) has an unknown key "no_such_option"
open() option of the wrong type: TypeError: SqAuth\Connection::pooled(): Argument #5 ($options) option "timeout" must be of type int|float, string given
login option of the wrong type: TypeError: SqAuth\Connection::pooled(): Argument #5 ($options) key "realm" must be of type string, int given
a callable token: TypeError: SqAuth\Connection::pooled(): Argument #5 ($options) key "token" must be of type string, Closure given
pooledLogin: an authenticate() option: ValueError: SqAuth\Connection::pooledLogin(): Argument #4 ($options) has an unknown option "realm"
pooledLogin: allow_plaintext not a bool: TypeError: SqAuth\Connection::pooledLogin(): Argument #4 ($options) option "allow_plaintext" must be of type bool, int given
a malformed URI: ValueError: SqAuth\Connection::pooledLogin(): Argument #1 ($uri) must not contain user information, a query or a fragment
an integer key: ValueError: SqAuth\Connection::pooledLogin(): Argument #4 ($options) must only have string keys
refused: SqAuth\ConnectionException (11)
misses +1, entries 0
sqauth.pool_size = 16, ini_set: false
sqauth.pool_per_user = 1, ini_set: false
sqauth.pool_idle_timeout = 300, ini_set: false
sqauth.pool_max_lifetime = 3600, ini_set: false
sqauth.pool_check_after = 15, ini_set: false
Connection pool => 0 of 16 connections; 0 hits, 1 misses, 0 discards, 0 evictions, 0 expired, 0 forgotten; sign-outs shared with forked workers
sqauth.pool_size=10001: Warning: PHP Startup: sqauth.pool_size must be a whole number from 0 to 10000 in Unknown on line 0 16 16
sqauth.pool_per_user=0: Warning: PHP Startup: sqauth.pool_per_user must be a whole number from 1 to 1000 in Unknown on line 0 16 1
sqauth.pool_idle_timeout=0: Warning: PHP Startup: sqauth.pool_idle_timeout must be a number of seconds from 0.001 to 86400 in Unknown on line 0 16 300
sqauth.pool_check_after=soon: Warning: PHP Startup: sqauth.pool_check_after must be a number of seconds from 0 to 86400 in Unknown on line 0 16 15
sqauth.pool_size=2.5: Warning: PHP Startup: sqauth.pool_size must be a whole number from 0 to 10000 in Unknown on line 0 16 16
