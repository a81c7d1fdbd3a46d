--TEST--
php.ini against the test Dovecot: a CA given only as openssl.cafile (or openssl.capath) verifies; sqauth.cafile wins over it; the call's cafile wins over both; sqauth.session_resumption and sqauth.min_protocol in real handshakes, the call's option over them
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; require __DIR__ . '/skipif_valgrind.inc'; ?>
--FILE--
<?php
/*
 * The CA settings are PHP_INI_PERDIR (ini_set() cannot change them), so
 * each case runs in a child PHP started with its php.ini settings
 * (tests/ini_child.inc), with the call's options as $args.
 */
$env = require __DIR__ . '/env.inc';
require __DIR__ . '/../ini_child.inc';

$ca = $env['SQAUTH_TEST_CA'];
$other = $env['SQAUTH_TEST_OTHER_CA'];
$dir = sys_get_temp_dir() . '/sqauth-ini-capath-' . getmypid();
$otherdir = "$dir-other";
foreach ([$dir => $ca, $otherdir => $other] as $d => $pem) {
    @mkdir($d);
    copy($pem, "$d/ca.pem");
    exec('openssl rehash ' . escapeshellarg($d) . ' 2>&1', $out, $rc);
    echo $rc === 0 ? '' : "openssl rehash failed\n";
}

/* Open $args['uri'] with $args['options'], say whether the certificate
 * verified (or why not) and whether the session was resumed. */
$open = <<<'PHP'
foreach ($args['uris'] as $uri) {
    try {
        $c = SqAuth\Connection::open($uri, $args['options']);
        $i = $c->tlsInfo();
        printf("verified %s, %s, resumed %s\n", var_export($i['verify']['verified'], true), $i['protocol'],
               var_export($i['session_reused'], true));
        $c->close();
    } catch (Throwable $e) {
        echo sqauth_describe($e), "\n";
    }
}
PHP;
$imaps = "imaps://localhost:{$env['SQAUTH_TEST_IMAPS_PORT']}";
$imap = "imap://localhost:{$env['SQAUTH_TEST_IMAP_PORT']}";
function run(string $what, array $ini, array $options = [], ?array $uris = null): void
{
    global $open, $imaps, $dir, $otherdir, $ca, $other;
    echo "-- $what\n";
    $names = [$ca => 'CA', $other => 'OTHER-CA', $otherdir => 'OTHER-CA-DIR', $dir => 'CA-DIR'];
    echo strtr(sqauth_ini_child($ini, $open, ['uris' => $uris ?? [$imaps], 'options' => $options]), $names);
}

run('nothing: OpenSSL\'s default store does not know the test CA', []);
run('openssl.cafile only', ['openssl.cafile' => $ca]);
run('openssl.cafile only, STARTTLS', ['openssl.cafile' => $ca], [], [$imap]);
run('openssl.capath only', ['openssl.capath' => $dir]);
run('openssl.cafile only, another CA: the message names the setting', ['openssl.cafile' => $other]);
run('sqauth.cafile wins over openssl.cafile', ['sqauth.cafile' => $ca, 'openssl.cafile' => $other]);
run('sqauth.cafile wins over openssl.cafile, the other way round', ['sqauth.cafile' => $other, 'openssl.cafile' => $ca]);
run('sqauth.capath with the CA', ['sqauth.capath' => $dir, 'openssl.cafile' => $other]);
run('sqauth.capath alone hides openssl.cafile', ['sqauth.capath' => $otherdir, 'openssl.cafile' => $ca]);
run('the call\'s cafile wins over both', ['sqauth.cafile' => $other, 'openssl.cafile' => $other], ['cafile' => $ca]);
run('the call\'s cafile wins over both, the other way round', ['sqauth.cafile' => $ca, 'openssl.cafile' => $ca],
    ['cafile' => $other]);
run('the call\'s capath alone hides sqauth.cafile', ['sqauth.cafile' => $ca], ['capath' => $otherdir]);

$resume = "imaps://localhost:{$env['SQAUTH_TEST_IMAPS_RESUME_PORT']}";
run('sqauth.session_resumption=Off: no session offered', ['sqauth.session_resumption' => 'Off', 'sqauth.cafile' => $ca], [],
    [$resume, $resume]);
run('sqauth.session_resumption=Off, the call\'s true wins', ['sqauth.session_resumption' => 'Off', 'sqauth.cafile' => $ca],
    ['session_resumption' => true], [$resume, $resume]);
run('sqauth.session_resumption=On (the default) resumes', ['sqauth.cafile' => $ca], [], [$resume, $resume]);

run('sqauth.min_protocol=TLSv1.3', ['sqauth.min_protocol' => 'TLSv1.3', 'sqauth.cafile' => $ca]);
run('sqauth.min_protocol=TLSv1.3, the call\'s TLSv1.2 wins', ['sqauth.min_protocol' => 'TLSv1.3', 'sqauth.cafile' => $ca],
    ['min_protocol' => 'TLSv1.2', 'max_protocol' => 'TLSv1.2']);
run('sqauth.min_protocol=TLSv1.3 against the call\'s max_protocol', ['sqauth.min_protocol' => 'TLSv1.3', 'sqauth.cafile' => $ca],
    ['max_protocol' => 'TLSv1.2']);

foreach ([$dir, $otherdir] as $d) {
    array_map('unlink', glob("$d/*"));
    rmdir($d);
}
?>
--EXPECT--
-- nothing: OpenSSL's default store does not know the test CA
SqAuth\TlsException (14): certificate verify failed: unable to get local issuer certificate (depth 0); pass the CA that signed the server's certificate as 'cafile' (or 'capath')
-- openssl.cafile only
verified true, TLSv1.3, resumed false
-- openssl.cafile only, STARTTLS
verified true, TLSv1.3, resumed false
-- openssl.capath only
verified true, TLSv1.3, resumed false
-- openssl.cafile only, another CA: the message names the setting
SqAuth\TlsException (14): certificate verify failed: unable to get local issuer certificate (depth 0); the CA that signed the server's certificate is not among those of php.ini openssl.cafile: add it there, or pass it as 'cafile' (or 'capath')
-- sqauth.cafile wins over openssl.cafile
verified true, TLSv1.3, resumed false
-- sqauth.cafile wins over openssl.cafile, the other way round
SqAuth\TlsException (14): certificate verify failed: unable to get local issuer certificate (depth 0); the CA that signed the server's certificate is not among those of php.ini sqauth.cafile: add it there, or pass it as 'cafile' (or 'capath')
-- sqauth.capath with the CA
verified true, TLSv1.3, resumed false
-- sqauth.capath alone hides openssl.cafile
SqAuth\TlsException (14): certificate verify failed: unable to get local issuer certificate (depth 0); the CA that signed the server's certificate is not among those of php.ini sqauth.capath: add it there, or pass it as 'cafile' (or 'capath')
-- the call's cafile wins over both
verified true, TLSv1.3, resumed false
-- the call's cafile wins over both, the other way round
SqAuth\TlsException (14): certificate verify failed: unable to get local issuer certificate (depth 0); pass the CA that signed the server's certificate as 'cafile' (or 'capath')
-- the call's capath alone hides sqauth.cafile
SqAuth\TlsException (14): certificate verify failed: unable to get local issuer certificate (depth 0); pass the CA that signed the server's certificate as 'cafile' (or 'capath')
-- sqauth.session_resumption=Off: no session offered
verified true, TLSv1.3, resumed false
verified true, TLSv1.3, resumed false
-- sqauth.session_resumption=Off, the call's true wins
verified true, TLSv1.3, resumed false
verified true, TLSv1.3, resumed true
-- sqauth.session_resumption=On (the default) resumes
verified true, TLSv1.3, resumed false
verified true, TLSv1.3, resumed true
-- sqauth.min_protocol=TLSv1.3
verified true, TLSv1.3, resumed false
-- sqauth.min_protocol=TLSv1.3, the call's TLSv1.2 wins
verified true, TLSv1.2, resumed false
-- sqauth.min_protocol=TLSv1.3 against the call's max_protocol
ValueError (0): SqAuth\Connection::open(): Argument #2 ($options) option "max_protocol" is below php.ini sqauth.min_protocol="TLSv1.3"
