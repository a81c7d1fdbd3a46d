--TEST--
SCRAM key cache through SaslClient: same proof cached and uncached, a miss when the salt, count, hash or password changes, 'scram_cache' => false, counters in features() and phpinfo()
--EXTENSIONS--
sqauth
--INI--
sqauth.scram_cache_size=2
--FILE--
<?php
/* A SCRAM server in PHP (RFC 5802 §3 with hash_pbkdf2/hash_hmac): it
 * checks the client's proof and signs, so a wrong cached key would be seen. */
function exchange(string $mech, string $clientPassword, string $serverPassword, string $salt, int $i, array $opts = []): string
{
    $algo = $mech === 'SCRAM-SHA-1' ? 'sha1' : 'sha256';
    $salted = hash_pbkdf2($algo, $serverPassword, $salt, $i, 0, true);
    $storedKey = hash($algo, hash_hmac($algo, 'Client Key', $salted, true), true);
    $serverKey = hash_hmac($algo, 'Server Key', $salted, true);

    $c = new SqAuth\SaslClient($mech, ['authcid' => 'user', 'password' => $clientPassword],
                               ['cnonce' => 'phptCacheNonce', 'min_iterations' => 1] + $opts);
    $first = $c->start();
    $serverFirst = 'r=phptCacheNonce+srv,s=' . base64_encode($salt) . ",i=$i";
    $final = $c->step($serverFirst);
    [$withoutProof, $proof] = explode(',p=', $final);
    $authMessage = substr($first, 3) . ",$serverFirst,$withoutProof";
    $clientKey = base64_decode($proof) ^ hash_hmac($algo, $authMessage, $storedKey, true);
    if (!hash_equals($storedKey, hash($algo, $clientKey, true))) {
        return 'proof refused';
    }
    $c->step('v=' . base64_encode(hash_hmac($algo, $authMessage, $serverKey, true)));
    return $c->isServerVerified() ? 'verified' : 'NOT verified';
}

function counters(): string
{
    $f = SqAuth\features();
    return sprintf('size %d, entries %d, hits %d, misses %d, evictions %d', $f['scram_cache_size'],
                   $f['scram_cache_entries'], $f['scram_cache_hits'], $f['scram_cache_misses'], $f['scram_cache_evictions']);
}

echo counters(), "\n";
echo 'off for this exchange: ', exchange('SCRAM-SHA-256', 'pencil', 'pencil', 'salt-1', 4096, ['scram_cache' => false]), ' / ', counters(), "\n";
echo 'first:                 ', exchange('SCRAM-SHA-256', 'pencil', 'pencil', 'salt-1', 4096), ' / ', counters(), "\n";
echo 'again:                 ', exchange('SCRAM-SHA-256', 'pencil', 'pencil', 'salt-1', 4096), ' / ', counters(), "\n";
echo 'off again:             ', exchange('SCRAM-SHA-256', 'pencil', 'pencil', 'salt-1', 4096, ['scram_cache' => false]), ' / ', counters(), "\n";
echo 'salt changed:          ', exchange('SCRAM-SHA-256', 'pencil', 'pencil', 'salt-2', 4096), ' / ', counters(), "\n";
echo 'count changed:         ', exchange('SCRAM-SHA-256', 'pencil', 'pencil', 'salt-2', 8192), ' / ', counters(), "\n";
echo 'hash changed:          ', exchange('SCRAM-SHA-1', 'pencil', 'pencil', 'salt-2', 8192), ' / ', counters(), "\n";
echo 'password changed:      ', exchange('SCRAM-SHA-1', 'crayon', 'crayon', 'salt-2', 8192), ' / ', counters(), "\n";
echo 'wrong password:        ', exchange('SCRAM-SHA-1', 'rubber', 'crayon', 'salt-2', 8192), ' / ', counters(), "\n";
echo 'not cached:            ', exchange('SCRAM-SHA-1', 'rubber', 'crayon', 'salt-2', 8192), ' / ', counters(), "\n";
echo 'right one still hits:  ', exchange('SCRAM-SHA-1', 'crayon', 'crayon', 'salt-2', 8192), ' / ', counters(), "\n";
echo 'least recent evicted:  ', exchange('SCRAM-SHA-256', 'pencil', 'pencil', 'salt-2', 4096), ' / ', counters(), "\n";

/* The RFC 7677 example, cached and not: the same client-final. */
$rfc = function (array $opts) {
    $c = new SqAuth\SaslClient('SCRAM-SHA-256', ['authcid' => 'user', 'password' => 'pencil'], ['cnonce' => 'rOprNGfwEbeRWgbNEkqO'] + $opts);
    $c->start();
    $final = $c->step('r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096');
    $c->step('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
    return $final;
};
$uncached = $rfc(['scram_cache' => false]);
$missed = $rfc([]);
$hit = $rfc([]);
var_dump($uncached === 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
         $missed === $uncached, $hit === $uncached);
echo counters(), "\n";

try {
    new SqAuth\SaslClient('SCRAM-SHA-256', ['authcid' => 'u', 'password' => 'p'], ['scram_cache' => 'no']);
} catch (TypeError $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}

ob_start();
phpinfo(INFO_MODULES);
$info = ob_get_clean();
preg_match('/^SCRAM key cache => .*$/m', $info, $m);
echo $m[0], "\n";
echo str_contains($info, 'sqauth.scram_cache_size => 2 => 2') ? "ini shown\n" : "ini NOT shown\n";
?>
--EXPECT--
size 2, entries 0, hits 0, misses 0, evictions 0
off for this exchange: verified / size 2, entries 0, hits 0, misses 0, evictions 0
first:                 verified / size 2, entries 1, hits 0, misses 1, evictions 0
again:                 verified / size 2, entries 1, hits 1, misses 1, evictions 0
off again:             verified / size 2, entries 1, hits 1, misses 1, evictions 0
salt changed:          verified / size 2, entries 2, hits 1, misses 2, evictions 0
count changed:         verified / size 2, entries 2, hits 1, misses 3, evictions 1
hash changed:          verified / size 2, entries 2, hits 1, misses 4, evictions 2
password changed:      verified / size 2, entries 2, hits 1, misses 5, evictions 3
wrong password:        proof refused / size 2, entries 2, hits 1, misses 6, evictions 3
not cached:            proof refused / size 2, entries 2, hits 1, misses 7, evictions 3
right one still hits:  verified / size 2, entries 2, hits 2, misses 7, evictions 3
least recent evicted:  verified / size 2, entries 2, hits 2, misses 8, evictions 4
bool(true)
bool(true)
bool(true)
size 2, entries 2, hits 3, misses 9, evictions 5
TypeError: SqAuth\SaslClient::__construct(): Argument #3 ($options) key "scram_cache" must be of type bool, string given
SCRAM key cache => 2 of 2 entries; 3 hits, 9 misses, 5 evictions
ini shown
