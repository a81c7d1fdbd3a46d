--TEST--
bin/sqauth-probe: logins, exit codes, --show-challenge, --json; the password never appears in any output
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
$env = require __DIR__ . '/env.inc';

$so = ini_get('extension_dir') . '/sqauth.so';
if (!is_file($so)) {
    $so = __DIR__ . '/../../modules/sqauth.so';
}
$ca = $env['SQAUTH_TEST_CA'];
$imaps = "imaps://localhost:{$env['SQAUTH_TEST_IMAPS_PORT']}";
$sub = "submission://localhost:{$env['SQAUTH_TEST_SUBMISSION_PORT']}";
$pass = $env['SQAUTH_TEST_PASS'];
$secrets = [$pass, base64_encode("\0{$env['SQAUTH_TEST_USER']}\0$pass"), 'Wr0ng-Pr0be-Pw', 'Cmd-L1ne-Pw'];

/* Runs the probe; returns [exit code, stdout, stderr]. */
function probe(array $args, ?string $password = null): array
{
    global $so;
    $cmd = array_merge([PHP_BINARY, '-n', '-d', "extension=$so", __DIR__ . '/../../bin/sqauth-probe'], $args);
    $envv = ['PATH' => getenv('PATH') ?: '/usr/bin:/bin'];
    // under scripts/asan.sh the child needs the sanitizer runtime and settings too
    foreach (['LD_PRELOAD', 'USE_ZEND_ALLOC', 'ZEND_DONT_UNLOAD_MODULES', 'ASAN_OPTIONS', 'LSAN_OPTIONS', 'UBSAN_OPTIONS'] as $k) {
        if (getenv($k) !== false) {
            $envv[$k] = getenv($k);
        }
    }
    if ($password !== null) {
        $envv['SQAUTH_PASSWORD'] = $password;
    }
    $p = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, $envv);
    $out = stream_get_contents($pipes[1]);
    $err = stream_get_contents($pipes[2]);
    fclose($pipes[1]);
    fclose($pipes[2]);
    return [proc_close($p), $out, $err];
}
$leaks = 0;
function check(string $what, array $r): array
{
    global $secrets, $leaks;
    foreach ($secrets as $s) {
        if (str_contains($r[1] . $r[2], $s)) {
            echo "$what: LEAKS a secret\n";
            $leaks++;
        }
    }
    echo "$what: exit {$r[0]}\n";
    return $r;
}

[$rc, $out] = check('good login, all mechanisms, two URIs', probe([$imaps, $sub, "--cafile=$ca", "--user={$env['SQAUTH_TEST_USER']}", '--mechanism=all'], $pass));
echo implode("\n", array_slice(explode("\n", rtrim($out)), -9)), "\n";
var_dump(substr_count($out, 'certificate verified'));

[$rc, $out] = check('good login, auto', probe([$imaps, "--cafile=$ca", "--user={$env['SQAUTH_TEST_USER']}"], $pass));
echo implode("\n", preg_grep('/^   (login |protocol|mechanisms)/', explode("\n", $out))), "\n";

[$rc, $out] = check('wrong password', probe([$imaps, "--cafile=$ca", "--user={$env['SQAUTH_TEST_USER']}"], 'Wr0ng-Pr0be-Pw'));
echo implode("\n", preg_grep('/^   login /', explode("\n", $out))), "\n";

[$rc, , $err] = check('--password on the command line', probe([$imaps, "--cafile=$ca", '--password=Cmd-L1ne-Pw']));
echo strtok($err, "\n"), "\n";
[$rc, , $err] = check('no URI', probe(["--cafile=$ca"]));
echo strtok($err, "\n"), "\n";
[$rc, $out] = check('closed port', probe(['imaps://localhost:1', "--cafile=$ca"]));
echo trim(preg_grep('/error:/', explode("\n", $out))[array_key_first(preg_grep('/error:/', explode("\n", $out)))]), "\n";
[$rc, $out] = check('expired certificate', probe(["imaps://localhost:{$env['SQAUTH_TEST_IMAPS_EXPIRED_PORT']}", "--cafile=$ca"]));
var_dump(str_contains($out, 'TlsException: certificate verify failed: certificate has expired'));

[$rc, $out] = check('--show-challenge', probe(["imap://localhost:{$env['SQAUTH_TEST_IMAP_PORT']}", "--cafile=$ca", '--mechanism=DIGEST-MD5', '--show-challenge']));
echo preg_replace('/nonce="[^"]+"/', 'nonce="..."', implode("\n", preg_grep('/^   challenge/', explode("\n", $out)))), "\n";

[$rc, $out] = check('--json', probe([$sub, "--cafile=$ca", "--user={$env['SQAUTH_TEST_USER']}", '--mechanism=SCRAM-SHA-1', '--json', '--probe'], $pass));
$j = json_decode($out, true, 16, JSON_THROW_ON_ERROR);
echo $j[0]['uri'] === $sub ? 'uri ok' : 'uri?', ' ', $j[0]['detect']['protocol'], ' ', implode(',', $j[0]['detect']['mechanisms']), ' ',
    json_encode($j[0]['logins']), ' probed=', count(array_filter($j[0]['detect']['probed'])), "\n";
echo "leaks: $leaks\n";
?>
--EXPECTF--
good login, all mechanisms, two URIs: exit 0
mechanism       imaps        submission   
PLAIN           ok           ok           
LOGIN           ok           ok           
CRAM-MD5        ok           ok           
DIGEST-MD5      ok           ok           
SCRAM-SHA-1     ok           ok           
SCRAM-SHA-256   ok           ok           
XOAUTH2         skipped      skipped      
OAUTHBEARER     skipped      skipped
int(2)
good login, auto: exit 0
   protocol:     imap (TLS mode implicit)
   mechanisms:   PLAIN LOGIN CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1 SCRAM-SHA-256 XOAUTH2 OAUTHBEARER
   login auto:          ok
wrong password: exit 1
   login auto:          AuthenticationException: the server refused the SCRAM-SHA-256 login: A0001 NO [AUTHENTICATIONFAILED] Authentication failed. [code AUTHENTICATIONFAILED]
--password on the command line: exit 2
sqauth-probe: passwords are never taken from the command line: set SQAUTH_PASSWORD or answer the prompt
no URI: exit 2
sqauth-probe: no URI given
closed port: exit 3
error:        ConnectionException: cannot connect to localhost port 1: Connection refused
expired certificate: exit 3
bool(true)
--show-challenge: exit 0
   challenge:    realm="a.example",realm="b.example",nonce="...",qop="auth",charset="utf-8",algorithm="md5-sess"
--json: exit 0
uri ok smtp PLAIN,LOGIN,CRAM-MD5,DIGEST-MD5,SCRAM-SHA-1,SCRAM-SHA-256,XOAUTH2,OAUTHBEARER {"SCRAM-SHA-1":"ok"} probed=6
leaks: 0
