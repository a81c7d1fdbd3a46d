--TEST--
SCRAM key cache: sqauth.scram_cache_size=0 turns it off (nothing counted, phpinfo says so); an invalid size is a startup warning and keeps the default
--EXTENSIONS--
sqauth
--INI--
sqauth.scram_cache_size=0
--FILE--
<?php
for ($n = 0; $n < 2; $n++) {
    $c = new SqAuth\SaslClient('SCRAM-SHA-256', ['authcid' => 'user', 'password' => 'pencil'], ['cnonce' => 'rOprNGfwEbeRWgbNEkqO']);
    $c->start();
    $c->step('r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096');
    $c->step('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
    var_dump($c->isServerVerified());
}
$f = SqAuth\features();
var_dump($f['scram_cache_size'], $f['scram_cache_entries'], $f['scram_cache_hits'], $f['scram_cache_misses']);
ob_start();
phpinfo(INFO_MODULES);
preg_match('/^SCRAM key cache => .*$/m', ob_get_clean(), $m);
echo $m[0], "\n";

/* A value outside 0..100000 or not a number: PHP's own startup warning,
 * default kept (two child processes: under valgrind each costs seconds). */
$so = ini_get('extension_dir') . '/sqauth.so';
if (!is_file($so)) {
    $so = __DIR__ . '/../modules/sqauth.so';
}
foreach (['100001', '12abc'] as $bad) {
    $p = proc_open([PHP_BINARY, '-n', '-d', 'display_startup_errors=1', '-d', "extension=$so", '-d', "sqauth.scram_cache_size=$bad",
                    '-r', 'echo SqAuth\features()["scram_cache_size"], "\n";'],
                   [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['redirect', 1]], $pipes);
    $out = stream_get_contents($pipes[1]);
    proc_close($p);
    echo var_export($bad, true), ': ', trim(preg_replace('/\s+/', ' ', $out)), "\n";
}
?>
--EXPECT--
bool(true)
bool(true)
int(0)
int(0)
int(0)
int(0)
SCRAM key cache => off
'100001': Warning: PHP Startup: sqauth.scram_cache_size must be a number of entries from 0 to 100000 in Unknown on line 0 64
'12abc': Warning: PHP Startup: sqauth.scram_cache_size must be a number of entries from 0 to 100000 in Unknown on line 0 64
