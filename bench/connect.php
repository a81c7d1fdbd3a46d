<?php
/**
 * Connection benchmark: connect + TLS + capabilities + close against the
 * test Dovecot, many times from one process, sqauth against what
 * SquirrelMail does today with PHP streams, next to `openssl s_time` as the
 * TLS handshake floor.
 *
 * Run from the project root, with the test servers up
 * (sh tests/setup/servers.sh start):
 *
 *   php -n -d extension=modules/sqauth.so -d extension=curl bench/connect.php [--iterations=N] [--json]
 *
 * (curl is not used here; the flag is accepted so both network benchmarks
 * share one run line. openssl is built into Debian's PHP CLI.)
 *
 * Options:
 *   --iterations=N   connections per contender per round (default 60)
 *   --rounds=R       interleaved rounds; the median is reported (default 5)
 *   --stime=S        seconds for `openssl s_time` (default 5; 0 skips it)
 *   --json           print the results as JSON instead of a table
 *
 * Rows: IMAPS (implicit TLS, port SQAUTH_TEST_IMAPS_PORT) and IMAP STARTTLS
 * (SQAUTH_TEST_IMAP_PORT), both on 127.0.0.1, certificate verified against
 * the test CA with the peer name "localhost" (every contender: verify_peer
 * and verify_peer_name on, the same cafile, no session resumption).
 *
 * Contenders, one whole connection each:
 *   sqauth       Connection::open($uri, ['cafile', 'peer_name', 'timeout'])
 *                + capabilities() + close() (close sends LOGOUT and reads its
 *                tagged reply). For IMAPS, capabilities() comes from the
 *                greeting's [CAPABILITY] code (no round trip); after STARTTLS
 *                sqauth sends CAPABILITY, as it must.
 *   PHP streams  what SquirrelMail does: stream_socket_client() ('ssl://' with
 *                a stream context for IMAPS; 'tcp://' + "a STARTTLS" +
 *                stream_socket_enable_crypto() for STARTTLS), read the
 *                greeting, "CAPABILITY" read to the tagged OK, "LOGOUT" read
 *                to the tagged OK, fclose(). A new stream context each time,
 *                as each SquirrelMail request makes one.
 *   s_time       `openssl s_time -connect 127.0.0.1:IMAPS -new -time S -CAfile CA`
 *                (IMAPS only; s_time cannot do STARTTLS): full handshakes and
 *                SSL_shutdown, no IMAP at all. Its "connections/user sec" is
 *                converted to ms of *user* CPU per connection (times(), 10 ms
 *                ticks); the script also reports s_time's user+sys CPU from
 *                getrusage(RUSAGE_CHILDREN), which includes the process start
 *                and CA load once (spread over all its connections). s_time
 *                does not fail on a verify error; the floor only needs the
 *                same handshake work. It runs once, in the middle of the rounds.
 *
 * Measured: client CPU per connection = (ru_utime + ru_stime) delta of this
 * process over a round's N connections / N, and wall time per connection =
 * hrtime delta / N; the table shows the median of R rounds. Server CPU is
 * not counted, but Dovecot shares the 2 cores: its login processes are as
 * configured by tests/setup/servers.sh (imap-login with Dovecot's default
 * service_count = 1, i.e. a new login process per connection), which is what
 * dominates wall time. The server configuration is not changed.
 *
 * Before timing, every contender must complete one connection on every row
 * (TLS 1.x established, certificate verified, IMAP4rev1 in the capability
 * list, LOGOUT answered) and must refuse the same server when given a CA
 * that did not sign its certificate; otherwise the script aborts (exit 1).
 * Every timed connection is checked too. There are no speed assertions: the
 * exit status does not depend on timings. Default run: about 35-45 s.
 */

error_reporting(E_ALL);

const SCRIPT = 'bench/connect.php';
require __DIR__ . '/common.inc';

/* ---------------------------------------------------------------- options */

$opt = parse_options($argv, ['iterations', 'rounds', 'stime', 'json']);
$N = int_opt($opt, 'iterations', 60, 1);
$ROUNDS = int_opt($opt, 'rounds', 5, 1);
$STIME = int_opt($opt, 'stime', 5, 0);
$JSON = isset($opt['json']);

if (!extension_loaded('sqauth')) {
    fail('the sqauth extension is not loaded; run: php -n -d extension=modules/sqauth.so -d extension=curl bench/connect.php');
}
if (!extension_loaded('openssl')) {
    fail('PHP\'s openssl extension is missing (add -d extension=openssl if it is shared on this system)');
}

/* ------------------------------------------------------------ environment */

$ENV = test_env();
$HOST = $ENV['SQAUTH_TEST_HOST'];          // 127.0.0.1
$NAME = $ENV['SQAUTH_TEST_HOSTNAME'];      // localhost (in the certificate)
$CA = $ENV['SQAUTH_TEST_CA'];
$OTHER_CA = $ENV['SQAUTH_TEST_OTHER_CA'];
$ROWS = [
    'imaps' => ['title' => 'IMAPS (implicit TLS)', 'port' => (int)$ENV['SQAUTH_TEST_IMAPS_PORT']],
    'starttls' => ['title' => 'IMAP + STARTTLS', 'port' => (int)$ENV['SQAUTH_TEST_IMAP_PORT']],
];
need_servers([$CA, $OTHER_CA], $HOST, array_column($ROWS, 'port'));

/* ------------------------------------------------------------ contenders */

/** Reads IMAP lines up to the tagged reply for $tag; returns [untagged lines, tagged line]. */
function imap_until_tagged($fp, string $tag): array
{
    $untagged = [];
    while (true) {
        $line = fgets($fp, 8192);
        if ($line === false) {
            $meta = stream_get_meta_data($fp);
            throw new RuntimeException("connection closed or timed out waiting for \"$tag\""
                . (!empty($meta['timed_out']) ? ' (timeout)' : ''));
        }
        if (strncmp($line, "$tag ", strlen($tag) + 1) === 0) {
            return [$untagged, rtrim($line)];
        }
        $untagged[] = rtrim($line);
    }
}

function imap_command($fp, string $tag, string $cmd): array
{
    if (fwrite($fp, "$tag $cmd\r\n") === false) {
        throw new RuntimeException("writing \"$tag $cmd\" failed");
    }
    [$untagged, $tagged] = imap_until_tagged($fp, $tag);
    if (strncasecmp($tagged, "$tag OK", strlen($tag) + 3) !== 0) {
        throw new RuntimeException("$cmd: the server said: $tagged");
    }
    return $untagged;
}

function ssl_context(string $ca, string $name)
{
    return stream_context_create(['ssl' => [
        'verify_peer' => true,
        'verify_peer_name' => true,
        'peer_name' => $name,
        'cafile' => $ca,
    ]]);
}

/**
 * One SquirrelMail-style connection with PHP streams. Returns what the
 * pre-check looks at: [capability list, crypto metadata].
 */
function php_streams_connection(string $mode, string $host, int $port, string $ca, string $name): array
{
    $ctx = ssl_context($ca, $name);
    $url = ($mode === 'imaps' ? 'ssl' : 'tcp') . "://$host:$port";
    $fp = @stream_socket_client($url, $errno, $errstr, 10, STREAM_CLIENT_CONNECT, $ctx);
    if (!$fp) {
        $e = error_get_last();
        throw new RuntimeException("stream_socket_client($url) failed: [$errno] $errstr" . ($e ? ' / ' . $e['message'] : ''));
    }
    try {
        stream_set_timeout($fp, 10);
        $greeting = fgets($fp, 8192);
        if ($greeting === false || strncmp($greeting, '* OK', 4) !== 0) {
            throw new RuntimeException('bad greeting: ' . var_export($greeting, true));
        }
        if ($mode === 'starttls') {
            imap_command($fp, 'a', 'STARTTLS');
            if (@stream_socket_enable_crypto($fp, true, STREAM_CRYPTO_METHOD_TLS_CLIENT) !== true) {
                $e = error_get_last();
                throw new RuntimeException('stream_socket_enable_crypto failed' . ($e ? ': ' . $e['message'] : ''));
            }
        }
        $caps = [];
        foreach (imap_command($fp, 'b', 'CAPABILITY') as $line) {
            if (strncasecmp($line, '* CAPABILITY ', 13) === 0) {
                $caps = explode(' ', substr($line, 13));
            }
        }
        imap_command($fp, 'c', 'LOGOUT');
        return [$caps, stream_get_meta_data($fp)['crypto'] ?? null];
    } finally {
        fclose($fp);
    }
}

function sqauth_connection(string $mode, string $host, int $port, string $ca, string $name): array
{
    $scheme = $mode === 'imaps' ? 'imaps' : 'imap';
    $c = \SqAuth\Connection::open("$scheme://$host:$port", [
        'cafile' => $ca,
        'peer_name' => $name,
        'timeout' => 10,
    ]);
    $caps = $c->capabilities();
    $info = $c->tlsInfo();
    $c->close();
    return [$caps, $info];
}

$CONTENDERS = [
    'sqauth' => 'sqauth_connection',
    'PHP streams' => 'php_streams_connection',
];

/* ---------------------------------------------------------- verification */

function precheck(string $who, string $mode, callable $fn, string $host, int $port, string $ca, string $name, string $other_ca): array
{
    try {
        [$caps, $info] = $fn($mode, $host, $port, $ca, $name);
    } catch (Throwable $e) {
        fail("$who ($mode, port $port) did not complete a connection: " . get_class($e) . ': ' . $e->getMessage());
    }
    if (!in_array('IMAP4REV1', array_map('strtoupper', $caps), true)) {
        fail("$who ($mode): no IMAP4rev1 in the capabilities: " . implode(' ', $caps));
    }
    if ($mode === 'starttls' && in_array('STARTTLS', array_map('strtoupper', $caps), true)) {
        fail("$who ($mode): STARTTLS still announced, the capabilities were not re-read after TLS");
    }
    $proto = $info['protocol'] ?? null;
    if (!is_string($proto) || !str_starts_with($proto, 'TLSv1')) {
        fail("$who ($mode): no TLS on the connection: " . var_export($info, true));
    }
    if (isset($info['verify']) && empty($info['verify']['verified'])) {
        fail("$who ($mode): certificate not verified: " . var_export($info['verify'], true));
    }
    if (!empty($info['session_reused'])) {
        fail("$who ($mode): the TLS session was resumed; this benchmark wants full handshakes");
    }
    // Verification must be real: the same server with the wrong CA must fail.
    $refused = false;
    try {
        $fn($mode, $host, $port, $other_ca, $name);
    } catch (Throwable $e) {
        $refused = true;
    }
    if (!$refused) {
        fail("$who ($mode): connected although the CA ($other_ca) did not sign the server certificate");
    }
    return ['protocol' => $proto, 'cipher' => $info['cipher'] ?? $info['cipher_name'] ?? null];
}

$TLS = [];
foreach ($ROWS as $mode => $row) {
    foreach ($CONTENDERS as $who => $fn) {
        $TLS[$mode][$who] = precheck($who, $mode, $fn, $HOST, $row['port'], $CA, $NAME, $OTHER_CA);
    }
}

/* ------------------------------------------------------------------ timing */

function run_stime(int $seconds, string $host, int $port, string $ca): array
{
    $openssl = trim((string)shell_exec('command -v openssl 2>/dev/null'));
    if ($openssl === '') {
        fail('openssl (the command) is not installed; pass --stime=0 to skip the floor');
    }
    $cmd = [$openssl, 's_time', '-connect', "$host:$port", '-new', '-time', (string)$seconds, '-CAfile', $ca];
    $cpu0 = cpu_us(1);
    $t0 = hrtime(true);
    $p = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
    if (!is_resource($p)) {
        fail('could not start openssl s_time');
    }
    $out = stream_get_contents($pipes[1]);
    $err = stream_get_contents($pipes[2]);
    fclose($pipes[1]);
    fclose($pipes[2]);
    $status = proc_close($p);
    $wall = (hrtime(true) - $t0) / 1e6;
    $cpu = cpu_us(1) - $cpu0;
    // "112 connections in 0.08s; 1400.00 connections/user sec, bytes read 0"
    // "112 connections in 3 real seconds, 0 bytes read per connection"
    if ($status !== 0 || !preg_match('/(\d+) connections in ([0-9.]+)s; ([0-9.]+) connections\/user sec/', $out, $m)) {
        fail("openssl s_time failed (exit $status):\n$out$err");
    }
    $conns = (int)$m[1];
    if ($conns < 1) {
        fail("openssl s_time made no connection:\n$out$err");
    }
    preg_match('/(\d+) connections in (\d+) real seconds/', $out, $r);
    return [
        'connections' => $conns,
        'user_s' => (float)$m[2],
        'connections_per_user_sec' => (float)$m[3],
        'user_ms_per_conn' => (float)$m[3] > 0 ? 1000 / (float)$m[3] : null,
        'cpu_ms_per_conn' => $cpu / 1000 / $conns,        // user+sys of the child, incl. start-up
        'wall_ms_per_conn' => $wall / $conns,            // incl. start-up and the last partial second
        'real_seconds_reported' => isset($r[2]) ? (int)$r[2] : null,
    ];
}

$t_start = hrtime(true);

// Warm-up: a few connections each (autoload-free here, but it fills the
// allocator, the SSL_CTX cache of sqauth, DNS-free paths and Dovecot's pool).
foreach ($ROWS as $mode => $row) {
    foreach ($CONTENDERS as $who => $fn) {
        for ($i = 0; $i < 3; $i++) {
            $fn($mode, $HOST, $row['port'], $CA, $NAME);
        }
    }
}

$samples = [];
$stime = null;
$names = array_keys($CONTENDERS);
for ($round = 0; $round < $ROUNDS; $round++) {
    if ($STIME > 0 && $round === intdiv($ROUNDS, 2)) {
        $stime = run_stime($STIME, $HOST, $ROWS['imaps']['port'], $CA);
    }
    foreach ($ROWS as $mode => $row) {
        $k = ($round + ($mode === 'starttls' ? 1 : 0)) % count($names);
        $order = array_merge(array_slice($names, $k), array_slice($names, 0, $k));
        foreach ($order as $who) {
            $fn = $CONTENDERS[$who];
            gc_collect_cycles();
            $c0 = cpu_us();
            $t0 = hrtime(true);
            try {
                for ($i = 0; $i < $N; $i++) {
                    $fn($mode, $HOST, $row['port'], $CA, $NAME);
                }
            } catch (Throwable $e) {
                fail("$who ($mode) failed during round $round, connection $i: " . get_class($e) . ': ' . $e->getMessage());
            }
            $wall = hrtime(true) - $t0;
            $cpu = cpu_us() - $c0;
            $samples[$mode][$who]['cpu'][] = $cpu / 1000 / $N;   // ms
            $samples[$mode][$who]['wall'][] = $wall / 1e6 / $N;  // ms
        }
    }
}
$elapsed = (hrtime(true) - $t_start) / 1e9;

/* ----------------------------------------------------------------- results */

$results = [];
foreach ($ROWS as $mode => $row) {
    foreach ($CONTENDERS as $who => $fn) {
        $s = $samples[$mode][$who];
        $results[$mode]['title'] = $row['title'] . " on $HOST:{$row['port']}";
        $results[$mode]['rows'][$who] = [
            'cpu_ms' => round(median($s['cpu']), 3),
            'wall_ms' => round(median($s['wall']), 2),
            'tls' => $TLS[$mode][$who]['protocol'] . ' ' . $TLS[$mode][$who]['cipher'],
            'rounds_cpu_ms' => array_map(fn ($x) => round($x, 3), $s['cpu']),
            'rounds_wall_ms' => array_map(fn ($x) => round($x, 2), $s['wall']),
        ];
    }
}
if ($stime) {
    $results['imaps']['rows']['openssl s_time (handshake floor)'] = [
        'cpu_ms' => round($stime['cpu_ms_per_conn'], 3),
        'user_cpu_ms' => $stime['user_ms_per_conn'] === null ? null : round($stime['user_ms_per_conn'], 3),
        'wall_ms' => round($stime['wall_ms_per_conn'], 2),
        'tls' => 'full handshake, no IMAP',
        's_time' => $stime,
    ];
}

$ratios = [];
foreach ($results as $mode => $res) {
    $base = $res['rows']['sqauth'];
    foreach ($res['rows'] as $who => $r) {
        if ($who === 'sqauth') {
            continue;
        }
        $ratios[] = [
            'row' => $mode,
            'peer' => $who,
            'cpu_peer_over_sqauth' => $base['cpu_ms'] > 0 ? round($r['cpu_ms'] / $base['cpu_ms'], 2) : null,
            'wall_peer_over_sqauth' => $base['wall_ms'] > 0 ? round($r['wall_ms'] / $base['wall_ms'], 2) : null,
        ];
    }
}

$env = [
    'php' => PHP_VERSION,
    'sqauth' => phpversion('sqauth'),
    'openssl' => \SqAuth\features()['openssl'] ?? OPENSSL_VERSION_TEXT,
    'php_openssl' => OPENSSL_VERSION_TEXT,
    'cpu' => machine()['cpu'],
    'cpus' => machine()['cpus'],
    'connections_per_round' => $N,
    'rounds' => $ROUNDS,
    'statistic' => 'median of rounds; client (this process) CPU user+sys ms and wall ms per connection',
    'server' => 'Dovecot as configured by tests/setup/servers.sh (imap-login: a new login process per connection); shares the CPUs, not counted in client CPU',
    'elapsed_s' => round($elapsed, 1),
];

if ($JSON) {
    print_json(['environment' => $env, 'rows' => $results, 'ratios' => $ratios]);
}

printf("sqauth %s connection benchmark: PHP %s, %s, %s x%s\n", $env['sqauth'], $env['php'], $env['openssl'],
       $env['cpu'], $env['cpus'] ?? '?');
printf("connect + TLS (verified, full handshake) + capabilities + LOGOUT/close, %d connections per contender per round,\n"
       . "median of %d interleaved rounds. Client CPU = this process's user+sys time.\n", $N, $ROUNDS);
printf("Server: Dovecot as configured in tests/setup (a new imap-login process per connection; it shares the CPUs).\n");
foreach ($results as $mode => $res) {
    printf("\n%s\n", $res['title']);
    printf("  %-34s %13s %13s %9s %9s  %s\n", 'contender', 'CPU ms/conn', 'wall ms/conn', 'CPU ×', 'wall ×', 'TLS');
    $base = $res['rows']['sqauth'];
    foreach ($res['rows'] as $who => $r) {
        printf("  %-34s %13s %13s %9s %9s  %s\n", $who, number_format($r['cpu_ms'], 3), number_format($r['wall_ms'], 2),
               $base['cpu_ms'] > 0 ? number_format($r['cpu_ms'] / $base['cpu_ms'], 2) : '-',
               $base['wall_ms'] > 0 ? number_format($r['wall_ms'] / $base['wall_ms'], 2) : '-', $r['tls']);
    }
}
if ($stime) {
    printf("\nopenssl s_time: %d connections in %.2f user s = %.2f connections/user sec = %.3f ms user CPU per handshake\n"
           . "  (times(), 10 ms ticks; user only). Its user+sys from getrusage(RUSAGE_CHILDREN), start-up included:\n"
           . "  %.3f ms per connection (the \"CPU ms/conn\" column). s_time does no IMAP and does not read the greeting.\n",
           $stime['connections'], $stime['user_s'], $stime['connections_per_user_sec'], $stime['user_ms_per_conn'] ?? 0,
           $stime['cpu_ms_per_conn']);
}
printf("\n× = contender / sqauth (above 1: sqauth uses less). Elapsed %.1f s.\n", $elapsed);
exit(0);
