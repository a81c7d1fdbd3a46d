--TEST--
TLS: 'capath' (a hashed certificate directory) verifies the server; a directory without the CA does not
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
$env = require __DIR__ . '/env.inc';
$dir = sys_get_temp_dir() . '/sqauth-capath-' . getmypid();
$other = "$dir-other";
foreach ([[$dir, $env['SQAUTH_TEST_CA']], [$other, $env['SQAUTH_TEST_OTHER_CA']]] as [$d, $ca]) {
    @mkdir($d);
    copy($ca, "$d/ca.pem");
    // OpenSSL looks certificates up by subject hash: <hash>.0
    exec('openssl rehash ' . escapeshellarg($d) . ' 2>&1', $out, $rc);
    if ($rc !== 0) {
        echo "openssl rehash failed\n";
    }
}
$uri = 'imaps://localhost:' . $env['SQAUTH_TEST_IMAPS_PORT'];
$c = SqAuth\Connection::open($uri, ['capath' => $dir, 'timeout' => 10]);
var_dump($c->tlsInfo()['verify']['verified']);
$c->close();
try {
    SqAuth\Connection::open($uri, ['capath' => $other, 'timeout' => 10]);
} catch (SqAuth\TlsException $e) {
    echo get_class($e), ' ', $e->getCode(), ' ', $e->getVerifyResult()['code'], "\n";
}
foreach ([$dir, $other] as $d) {
    array_map('unlink', glob("$d/*"));
    rmdir($d);
}
?>
--EXPECT--
bool(true)
SqAuth\TlsException 14 20
