--TEST--
SCRAM key cache against Dovecot: the second login hits, a changed salt or iteration count misses and still logs in, a wrong password is refused and not cached, 'scram_cache' => false, and Dovecot's fresh salt from a plaintext passdb never hits
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
$env = require __DIR__ . '/env.inc';
$file = $env['SQAUTH_TEST_SCRAM_PASSWD'];
$pass = $env['SQAUTH_TEST_SCRAM_PASS'];
if (!is_writable($file)) {
    throw new RuntimeException("$file is not writable: this test rewrites it to change a salt (run as root, as servers.sh does)");
}

/* Dovecot's stored form, {SCRAM-SHA-256}i,salt,StoredKey,ServerKey (RFC 5802 §3),
 * computed here with hash_pbkdf2: the test chooses the salt. */
function stored(string $scheme, string $password, string $salt, int $i): string
{
    $algo = $scheme === 'SCRAM-SHA-1' ? 'sha1' : 'sha256';
    $salted = hash_pbkdf2($algo, $password, $salt, $i, 0, true);
    return sprintf('{%s}%d,%s,%s,%s', $scheme, $i, base64_encode($salt),
                   base64_encode(hash($algo, hash_hmac($algo, 'Client Key', $salted, true), true)),
                   base64_encode(hash_hmac($algo, 'Server Key', $salted, true)));
}

/* Both accounts with the given salts. Dovecot looks at a passwd-file at
 * most once a second (its event loop's clock, whole seconds) and re-reads it
 * when mtime or size changed: the new file gets the old one's mtime + 1 s,
 * and the next login waits for the next second (at most 1 s per change). */
function accounts(string $salt256, int $i256, string $salt1): void
{
    global $env, $file, $pass;
    $tmp = "$file.tmp";
    file_put_contents($tmp, "{$env['SQAUTH_TEST_SCRAM_USER']}@a.example:" . stored('SCRAM-SHA-256', $pass, $salt256, $i256) . "\n"
                          . "{$env['SQAUTH_TEST_SCRAM1_USER']}@a.example:" . stored('SCRAM-SHA-1', $pass, $salt1, 4096) . "\n");
    chgrp($tmp, 'dovecot');
    chmod($tmp, 0640);
    clearstatcache();
    touch($tmp, filemtime($file) + 1);
    rename($tmp, $file);
    $now = microtime(true);
    usleep((int)((floor($now) + 1.02 - $now) * 1e6));
}

function login(string $mech, string $user, string $password, array $opts = []): string
{
    global $env;
    $before = SqAuth\features();
    try {
        $c = SqAuth\Connection::open("imaps://localhost:{$env['SQAUTH_TEST_IMAPS_PORT']}", ['cafile' => $env['SQAUTH_TEST_CA']]);
        $c->authenticate($mech, $user, $password, $opts);
        $c->close();
        $result = 'logged in';
    } catch (SqAuth\Exception $e) {
        $result = get_class($e);
    }
    $after = SqAuth\features();
    return sprintf('%-35s hits +%d, misses +%d', $result, $after['scram_cache_hits'] - $before['scram_cache_hits'],
                   $after['scram_cache_misses'] - $before['scram_cache_misses']);
}

$user = $env['SQAUTH_TEST_SCRAM_USER'];
$user1 = $env['SQAUTH_TEST_SCRAM1_USER'];
$saltA = random_bytes(16);
$saltB = random_bytes(16);
accounts($saltA, 4096, random_bytes(16));

echo 'SCRAM-SHA-256 first login:  ', login('SCRAM-SHA-256', $user, $pass), "\n";
echo 'SCRAM-SHA-256 second login: ', login('SCRAM-SHA-256', $user, $pass), "\n";
echo 'SCRAM-SHA-1 first login:    ', login('SCRAM-SHA-1', $user1, $pass), "\n";
echo 'SCRAM-SHA-1 second login:   ', login('SCRAM-SHA-1', $user1, $pass), "\n";
echo 'cache off for this login:   ', login('SCRAM-SHA-256', $user, $pass, ['scram_cache' => false]), "\n";

accounts($saltB, 4096, random_bytes(16));
echo 'salt changed:               ', login('SCRAM-SHA-256', $user, $pass), "\n";
echo 'same salt again:            ', login('SCRAM-SHA-256', $user, $pass), "\n";
accounts($saltB, 4097, random_bytes(16));
echo 'iteration count changed:    ', login('SCRAM-SHA-256', $user, $pass), "\n";
echo 'wrong password:             ', login('SCRAM-SHA-256', $user, 'not-' . $pass), "\n";
echo 'wrong password again:       ', login('SCRAM-SHA-256', $user, 'not-' . $pass), "\n";
echo 'right password:             ', login('SCRAM-SHA-256', $user, $pass), "\n";

/* From the PLAIN passdb Dovecot makes up a salt per login. */
echo 'plaintext passdb, first:    ', login('SCRAM-SHA-256', $env['SQAUTH_TEST_USER'], $env['SQAUTH_TEST_PASS']), "\n";
echo 'plaintext passdb, second:   ', login('SCRAM-SHA-256', $env['SQAUTH_TEST_USER'], $env['SQAUTH_TEST_PASS']), "\n";
?>
--EXPECT--
SCRAM-SHA-256 first login:  logged in                           hits +0, misses +1
SCRAM-SHA-256 second login: logged in                           hits +1, misses +0
SCRAM-SHA-1 first login:    logged in                           hits +0, misses +1
SCRAM-SHA-1 second login:   logged in                           hits +1, misses +0
cache off for this login:   logged in                           hits +0, misses +0
salt changed:               logged in                           hits +0, misses +1
same salt again:            logged in                           hits +1, misses +0
iteration count changed:    logged in                           hits +0, misses +1
wrong password:             SqAuth\AuthenticationException      hits +0, misses +1
wrong password again:       SqAuth\AuthenticationException      hits +0, misses +1
right password:             logged in                           hits +1, misses +0
plaintext passdb, first:    logged in                           hits +0, misses +1
plaintext passdb, second:   logged in                           hits +0, misses +1
