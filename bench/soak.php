<?php
/**
 * Soak: many logins in one process, then many connections held open at once,
 * against the test Dovecot; prints the process's memory and descriptors as
 * it goes and the memory one open connection costs.
 *
 * Run from the project root, with the test servers up
 * (sh tests/setup/servers.sh start):
 *
 *   php -n -d extension=modules/sqauth.so -d extension=ffi bench/soak.php [options]
 *
 * Options:
 *   --logins=N       logins one after the other (default 10000)
 *   --connections=N  connections opened in all in the second part (default 2000)
 *   --batch=N        of them open at the same time (default 50)
 *   --every=N        print a line every N logins (default 1000)
 *
 * Dovecot's "resume" instance of tests/setup/servers.sh (one long-lived
 * imap-login process, as a busy site runs it): IMAPS and IMAP with STARTTLS,
 * 127.0.0.1, peer name "localhost", the test CA, user SQAUTH_TEST_USER.
 * That instance allows 100 sessions per user and address
 * (mail_max_userip_connections; Dovecot's default of 10 would refuse the
 * 11th of 50 open sessions).
 *
 * Part 1, logins: each one is open + authenticate + close, turning through
 * IMAPS and STARTTLS and PLAIN, CRAM-MD5, DIGEST-MD5 and SCRAM-SHA-256, with
 * the TLS session cache on (as by default). Every --every logins: RSS
 * (VmRSS), open descriptors (/proc/self/fd), PHP's heap (memory_get_usage:
 * what the binding emallocs), the C heap in use (glibc mallinfo2 through
 * FFI: what the core and OpenSSL malloc) and the sessions cached. Target:
 * all flat after the first checkpoint.
 *
 * Part 2, open connections: --connections in batches of --batch; each batch
 * is opened (IMAPS, logged in with PLAIN) and held while the process is
 * measured, then closed and measured again. The cost of one open connection
 * is (held - before) / batch, the median over the batches; flat means the
 * "after" figures of the last batch equal those of the first. RSS per
 * connection is the first batch's: later batches reuse the memory it freed.
 * The C heap counts glibc's per-thread cache of freed chunks (tcache, at
 * most 7 per size) as in use, so it rises by about 130 KiB over the first
 * few hundred connections and then stays; with
 * GLIBC_TUNABLES=glibc.malloc.tcache_count=0 it is flat from the start.
 * Separating OpenSSL's own memory from sqauth's: the same number of TLS
 * connections made with libssl directly through FFI (one SSL_CTX with the
 * same CA, options, modes and read-ahead that sqauth sets, an SSL object per
 * connection, the same handshake, greeting, LOGIN and reply) gives what
 * OpenSSL itself holds per connection; sqauth's own share is its C-heap
 * figure minus that, plus its PHP-heap figure. A plaintext sqauth batch
 * ('tls' => 'none', no OpenSSL object at all) cross-checks it. Target:
 * sqauth's own share at most 64 KiB per open connection.
 *
 * Before measuring, a login must work, a wrong password must be an
 * AuthenticationException and a CA that did not sign the server's
 * certificate a TlsException; otherwise the script aborts (exit 1). Without
 * FFI (or on a libc without mallinfo2) the heap columns and the separation
 * are left out.
 */
use SqAuth\Connection;

const SCRIPT = 'bench/soak.php';
require __DIR__ . '/common.inc';

$opt = parse_options($argv, ['logins', 'connections', 'batch', 'every']);
$logins = int_opt($opt, 'logins', 10000);
$connections = int_opt($opt, 'connections', 2000);
$batch = int_opt($opt, 'batch', 50);
$every = int_opt($opt, 'every', 1000);
if (!extension_loaded('sqauth')) {
    fail('the sqauth extension is not loaded (php -d extension=modules/sqauth.so)');
}

$env = test_env();
$host = '127.0.0.1';
$imaps = (int)$env['SQAUTH_TEST_IMAPS_RESUME_PORT'];
$imap = (int)$env['SQAUTH_TEST_IMAP_RESUME_PORT'];
need_servers([$env['SQAUTH_TEST_CA']], $host, [$imaps, $imap]);
$user = $env['SQAUTH_TEST_USER'];
$pass = $env['SQAUTH_TEST_PASS'];
$tls = ['cafile' => $env['SQAUTH_TEST_CA'], 'peer_name' => 'localhost', 'timeout' => 10];

/* ------------------------------------------------------------ measuring */

$libc = null;
if (extension_loaded('ffi')) {
    try {
        $libc = FFI::cdef('
            struct mallinfo2 { size_t arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks, keepcost; };
            struct mallinfo2 mallinfo2(void);', 'libc.so.6');
    } catch (FFI\Exception $e) {
        $libc = null;
    }
}

/** The process right now: RSS and C heap in bytes, descriptors, PHP heap in bytes. */
function measure(): array
{
    global $libc;
    gc_collect_cycles();
    preg_match('/^VmRSS:\s+(\d+) kB/m', (string)file_get_contents('/proc/self/status'), $m);
    $heap = null;
    if ($libc !== null) {
        $mi = $libc->mallinfo2();
        $heap = $mi->uordblks + $mi->hblkhd;   // in use from the arena + mmap'd blocks
    }
    return ['rss' => (int)$m[1] * 1024, 'fds' => count(scandir('/proc/self/fd')) - 2,
            'php' => memory_get_usage(), 'heap' => $heap];
}

function kib(?float $bytes, int $decimals = 0): string
{
    return $bytes === null ? '-' : number_format($bytes / 1024, $decimals) . ' KiB';
}

function signed_kib(?float $bytes): string
{
    return $bytes === null ? '-' : ($bytes >= 0 ? '+' : '') . number_format($bytes / 1024, 1) . ' KiB';
}

function median(array $v): float
{
    sort($v);
    $n = count($v);
    return $n % 2 ? $v[intdiv($n, 2)] : ($v[$n / 2 - 1] + $v[$n / 2]) / 2;
}

/* -------------------------------------------------------- correctness first */

try {
    $c = Connection::open("imaps://$host:$imaps", $tls);
    $c->authenticate('SCRAM-SHA-256', $user, $pass);
    $c->close();
} catch (SqAuth\Exception $e) {
    fail('a login to the resume instance failed: ' . $e->getMessage());
}
try {
    Connection::open("imaps://$host:$imaps", $tls)->authenticate('PLAIN', $user, $pass . 'x');
    fail('a wrong password logged in');
} catch (SqAuth\AuthenticationException $e) {
}
try {
    Connection::open("imaps://$host:$imaps", ['cafile' => $env['SQAUTH_TEST_OTHER_CA']] + $tls);
    fail('a certificate from another CA was accepted');
} catch (SqAuth\TlsException $e) {
}

/* ------------------------------------------------------------ part 1 */

$mechs = ['PLAIN', 'CRAM-MD5', 'DIGEST-MD5', 'SCRAM-SHA-256'];
$uris = ["imaps://$host:$imaps", "imap://$host:$imap"];
printf("%s, PHP %s, %s; C heap %s\n\n", SCRIPT, PHP_VERSION, OPENSSL_VERSION_TEXT,
    $libc ? 'from mallinfo2()' : 'not measured (no FFI)');
printf("Part 1: %d logins in one process (IMAPS and STARTTLS; PLAIN, CRAM-MD5, DIGEST-MD5, SCRAM-SHA-256)\n", $logins);
printf("%8s %10s %5s %12s %12s %8s %9s\n", 'logins', 'RSS', 'fds', 'PHP heap', 'C heap', 'sessions', 'ms/login');
$start = measure();
$t0 = hrtime(true);
$first = null;
$tick = $t0;
for ($i = 1; $i <= $logins; $i++) {
    $c = Connection::open($uris[$i % 2], $tls);
    $c->authenticate($mechs[intdiv($i, 2) % 4], $user, $pass);
    $c->close();
    unset($c);
    if ($i % $every === 0 || $i === $logins) {
        $m = measure();
        $now = hrtime(true);
        $first ??= $m;
        printf("%8d %10s %5d %12s %12s %8d %9.1f\n", $i, kib($m['rss']), $m['fds'], kib($m['php']), kib($m['heap']),
            SqAuth\features()['tls_sessions'], ($now - $tick) / 1e6 / ($i % $every ?: $every));
        $tick = $now;
    }
}
$last = $m;
$part1 = [
    'seconds' => (hrtime(true) - $t0) / 1e9,
    'rss' => $last['rss'] - $first['rss'], 'fds' => $last['fds'] - $start['fds'],
    'php' => $last['php'] - $first['php'],
    'heap' => $libc ? $last['heap'] - $first['heap'] : null,
];
printf("from the first checkpoint to the last (%d logins): RSS %s, PHP heap %s bytes, C heap %s bytes; descriptors %d at the start, %d at the end; %.0f s\n\n",
    $logins - $every, signed_kib($part1['rss']), sprintf('%+d', $part1['php']), $libc ? sprintf('%+d', $part1['heap']) : '-',
    $start['fds'], $last['fds'], $part1['seconds']);

/* ------------------------------------------------------------ part 2 */

/**
 * Opens $n connections with $open, measures with them held, closes them with
 * $close; returns the per-connection deltas and the figures after closing.
 */
function hold(int $n, callable $open, callable $close): array
{
    $before = measure();
    $held = [];
    for ($i = 0; $i < $n; $i++) {
        $held[] = $open();
    }
    $during = measure();
    foreach ($held as $h) {
        $close($h);
    }
    unset($held, $h);
    $after = measure();
    $per = [];
    foreach (['rss', 'php', 'heap', 'fds'] as $k) {
        $per[$k] = $before[$k] === null ? null : ($during[$k] - $before[$k]) / $n;
    }
    return [$per, $after];
}

$sqauth_tls = function () use ($host, $imaps, $tls, $user, $pass) {
    $c = Connection::open("imaps://$host:$imaps", $tls);
    $c->authenticate('PLAIN', $user, $pass);
    return $c;
};
$sqauth_plain = function () use ($host, $imap, $user, $pass) {
    $c = Connection::open("imap://$host:$imap", ['tls' => 'none', 'timeout' => 10]);
    $c->authenticate('PLAIN', $user, $pass, ['allow_plaintext' => true]);
    return $c;
};
$close = fn(Connection $c) => $c->close();

$batches = max(1, intdiv($connections, $batch));
printf("Part 2: %d connections, %d open at a time (IMAPS, logged in)\n", $batches * $batch, $batch);
printf("%8s %12s %12s %12s %9s | %10s %10s %10s %4s\n", 'opened', 'RSS/conn', 'PHP/conn', 'C heap/conn', 'fds/conn',
    'then: RSS', 'PHP heap', 'C heap', 'fds');
// Preallocated, so that keeping the figures allocates nothing per batch (the
// PHP heap must come back to the same value after each one).
$per = ['rss' => array_fill(0, $batches, 0.0), 'php' => array_fill(0, $batches, 0.0),
        'heap' => array_fill(0, $batches, 0.0), 'fds' => array_fill(0, $batches, 0.0)];
$a0 = $an = null;
for ($b = 1; $b <= $batches; $b++) {
    try {
        [$p, $after] = hold($batch, $sqauth_tls, $close);
    } catch (SqAuth\AuthenticationException $e) {
        fail('Dovecot refused a login with ' . $batch . ' sessions open (' . $e->getMessage()
            . '): its mail_max_userip_connections is too low; tests/setup/servers.sh raises it on the resume instance');
    }
    foreach ($p as $k => $v) {
        $per[$k][$b - 1] = (float)$v;
    }
    $a0 ??= $after;
    $an = $after;
    if ($b === 1 || $b % 10 === 0 || $b === $batches) {
        printf("%8d %12s %12s %12s %9.2f | %10s %10s %10s %4d\n", $b * $batch, kib($p['rss'], 1), kib($p['php'], 1),
            kib($p['heap'], 1), $p['fds'], kib($after['rss']), kib($after['php'], 1), kib($after['heap'], 1), $after['fds']);
    }
}
$med = fn(array $rows, string $k) => $rows[0][$k] === null ? null : median(array_column($rows, $k));
$tls_med = fn(string $k) => $libc === null && $k === 'heap' ? null : median($per[$k]);

// the reference batches: fewer, they only need a median
$ref = min(5, $batches);
$plain = [];
for ($b = 0; $b < $ref; $b++) {
    $plain[] = hold($batch, $sqauth_plain, $close)[0];
}

$openssl = [];
$ffi_ssl = null;
if ($libc !== null) {
    require __DIR__ . '/soak_openssl.inc';
    $ffi_ssl = soak_openssl_client($env['SQAUTH_TEST_CA']);
}
if ($ffi_ssl !== null) {
    for ($b = 0; $b < $ref; $b++) {
        $openssl[] = hold($batch, fn() => $ffi_ssl['open']($host, $imaps, 'localhost', $user, $pass), $ffi_ssl['close'])[0];
    }
}

$tls_heap = $tls_med('heap');
$ossl_heap = $openssl ? $med($openssl, 'heap') : null;
$own = $ossl_heap === null ? null : $tls_heap - $ossl_heap + $tls_med('php');
printf("\nper open connection (median of %d batches of %d; RSS: the first batch, later ones reuse what it freed):\n", $batches, $batch);
printf("  sqauth, IMAPS:              RSS %s, PHP heap %s, C heap %s, %.2f descriptors\n",
    kib($per['rss'][0], 1), kib($tls_med('php'), 1), kib($tls_heap, 1), $tls_med('fds'));
printf("  sqauth, plaintext:          RSS %s, PHP heap %s, C heap %s (%d batches; no OpenSSL object)\n",
    kib($med($plain, 'rss'), 1), kib($med($plain, 'php'), 1), kib($med($plain, 'heap'), 1), $ref);
printf("  libssl alone, same settings: RSS %s, C heap %s (%s)\n",
    $openssl ? kib($med($openssl, 'rss'), 1) : '-', kib($ossl_heap, 1),
    $openssl ? "$ref batches through FFI" : 'not measured: needs FFI and libssl.so.3');
printf("  sqauth's own share beyond OpenSSL's: %s (target <= 64 KiB: %s)\n", kib($own, 1),
    $own === null ? 'not measured' : ($own <= 64 * 1024 ? 'met' : 'NOT met'));
printf("closed again, from the first batch to the last: RSS %s, PHP heap %s bytes, C heap %s bytes, descriptors %d -> %d\n",
    signed_kib($an['rss'] - $a0['rss']), sprintf('%+d', $an['php'] - $a0['php']),
    $libc ? sprintf('%+d', $an['heap'] - $a0['heap']) : '-', $a0['fds'], $an['fds']);
