--TEST--
Faults from the process itself: out of file descriptors (a child PHP under `ulimit -n 64`) at socket(), in name resolution, loading 'cafile' for a new TLS context in open() and in startTls(); a host name that does not resolve, in open() and detect(); each a ConnectionException 11 or TlsException 14 with errno/OpenSSL errors, no descriptor leaked, no half-made context cached, the next call working
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; require __DIR__ . '/skipif_valgrind.inc'; ?>
--FILE--
<?php
$env = require __DIR__ . '/env.inc';

// The child: PHP_BINARY with this build of the extension (the sanitizer
// environment of scripts/asan.sh is inherited), under a low RLIMIT_NOFILE.
// RES_OPTIONS bounds a resolver that cannot reach its name server (1 s).
$code = <<<'CHILD'
use SqAuth\Connection;
$env = json_decode($argv[1], true);
$ca = $env['SQAUTH_TEST_CA'];
$imap = $env['SQAUTH_TEST_IMAP_PORT'];
$imaps = $env['SQAUTH_TEST_IMAPS_PORT'];
$user = $env['SQAUTH_TEST_USER'];
$pass = $env['SQAUTH_TEST_PASS'];
function fds(): int { return count(scandir('/proc/self/fd')) - 2; }
$held = [];
/* Takes every free descriptor but $room. */
function exhaust(int $room): void
{
    global $held;
    while (($f = @fopen('/dev/null', 'r')) !== false) {
        $held[] = $f;
    }
    for ($i = 0; $i < $room; $i++) {
        fclose(array_pop($held));
    }
}
function give_back(): void
{
    global $held;
    array_map('fclose', $held);
    $held = [];
}
function show(string $what, Throwable $e): void
{
    echo "$what: ", get_class($e), ' (', $e->getCode(), '): ', $e->getMessage();
    if ($e instanceof SqAuth\ConnectionException) {
        echo ', errno ', $e->getErrno();
    }
    if ($e instanceof SqAuth\TlsException) {
        echo ', openssl [', implode(', ', array_column($e->getOpensslErrors(), 'reason')), ']';
    }
    echo "\n";
}
function contexts(): int { return SqAuth\features()['tls_contexts']; }

$fds = fds();
echo "limit: ", trim(shell_exec('ulimit -n')), "\n";

exhaust(0);
try {
    Connection::open("imap://127.0.0.1:$imap", ['tls' => 'none', 'timeout' => 5]);
} catch (SqAuth\Exception $e) {
    show('no descriptor left, socket()', $e);
}
try {
    Connection::open("imap://localhost:$imap", ['tls' => 'none', 'timeout' => 5]);
} catch (SqAuth\Exception $e) {
    // glibc's own answer when it cannot open /etc/hosts or a socket to the name server
    show('no descriptor left, resolving localhost', $e);
}
give_back();

$before = contexts();
exhaust(1);
try {
    Connection::open("imaps://localhost:$imaps", ['cafile' => $ca, 'timeout' => 5, 'ciphers' => 'HIGH:!aNULL']);
} catch (SqAuth\Exception $e) {
    show('one descriptor left, open() with a new cafile context', $e);
}
give_back();
echo "contexts cached by the failure: ", contexts() - $before, "\n";
$c = Connection::open("imaps://localhost:$imaps", ['cafile' => $ca, 'timeout' => 5, 'ciphers' => 'HIGH:!aNULL']);
$c->authenticate('SCRAM-SHA-256', $user, $pass);
echo "then with descriptors: logged in, contexts cached: ", contexts() - $before, "\n";
unset($c);

$c = Connection::open("imap://localhost:$imap", ['tls' => 'none', 'timeout' => 5, 'cafile' => $ca, 'ciphers' => 'HIGH:!aNULL:!MD5']);
exhaust(0);
try {
    $c->startTls();
} catch (SqAuth\Exception $e) {
    show('no descriptor left, startTls() with a new cafile context', $e);
}
give_back();
foreach (['isEncrypted', 'mechanisms', 'startTls', 'close'] as $m) {
    try {
        $r = json_encode($c->$m());
    } catch (SqAuth\Exception $e) {
        $r = get_class($e) . ' (' . $e->getCode() . ')';
    }
    echo "  then $m(): $r\n";
}
unset($c);

foreach (['no-such-host.invalid.', str_repeat('a', 64) . '.invalid'] as $host) {
    try {
        Connection::open("imap://$host:$imap", ['tls' => 'none', 'timeout' => 5]);
    } catch (SqAuth\Exception $e) {
        show('unresolvable ' . strlen($host) . '-byte name, open()', $e);
    }
    try {
        SqAuth\detect("imaps://$host", ['timeout' => 5]);
    } catch (SqAuth\Exception $e) {
        show('unresolvable ' . strlen($host) . '-byte name, detect()', $e);
    }
}

$c = Connection::open("imap://127.0.0.1:$imap", ['tls' => 'none', 'timeout' => 5]);
$c->authenticate('DIGEST-MD5', $user, $pass);
echo "next login: ok\n";
unset($c);
echo "descriptors: ", fds() === $fds ? 'as at the start' : "$fds at the start, now " . fds(), "\n";
CHILD;

$so = ini_get('extension_dir') . '/sqauth.so';
if (!is_file($so)) {
    $so = __DIR__ . '/../../modules/sqauth.so';
}
$cmd = 'ulimit -n 64 && RES_OPTIONS="timeout:1 attempts:1" exec ' . escapeshellarg(PHP_BINARY) . ' -n -d '
    . escapeshellarg("extension=$so") . ' -r ' . escapeshellarg($code) . ' -- ' . escapeshellarg(json_encode($env));
$p = proc_open(['sh', '-c', $cmd], [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
$out = stream_get_contents($pipes[1]);
$err = stream_get_contents($pipes[2]);
fclose($pipes[1]);
fclose($pipes[2]);
$rc = proc_close($p);
// a resolver without a reachable name server says "Temporary failure"; one
// that gets NXDOMAIN says "Name or service not known": both are the answer
echo str_replace(': Temporary failure in name resolution', ': Name or service not known', $out);
echo $err, "exit $rc\n";
?>
--EXPECT--
limit: 64
no descriptor left, socket(): SqAuth\ConnectionException (11): cannot connect to 127.0.0.1 port 31143: Too many open files, errno 24
no descriptor left, resolving localhost: SqAuth\ConnectionException (11): cannot resolve host "localhost": Name or service not known, errno 0
one descriptor left, open() with a new cafile context: SqAuth\TlsException (14): cannot load 'cafile': Too many open files, openssl [Too many open files, system lib, system lib]
contexts cached by the failure: 0
then with descriptors: logged in, contexts cached: 1
no descriptor left, startTls() with a new cafile context: SqAuth\TlsException (14): cannot load 'cafile': Too many open files, openssl [Too many open files, system lib, system lib]
  then isEncrypted(): false
  then mechanisms(): SqAuth\ConnectionException (13)
  then startTls(): SqAuth\ConnectionException (13)
  then close(): null
unresolvable 21-byte name, open(): SqAuth\ConnectionException (11): cannot resolve host "no-such-host.invalid.": Name or service not known, errno 0
unresolvable 21-byte name, detect(): SqAuth\ConnectionException (11): cannot resolve host "no-such-host.invalid.": Name or service not known, errno 0
unresolvable 72-byte name, open(): SqAuth\ConnectionException (11): cannot resolve host "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.invalid": Name or service not known, errno 0
unresolvable 72-byte name, detect(): SqAuth\ConnectionException (11): cannot resolve host "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.invalid": Name or service not known, errno 0
next login: ok
descriptors: as at the start
exit 0
