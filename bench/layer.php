<?php
/*
 * Throughput of the DIGEST-MD5 security layers through the PHP stream,
 * next to the same data over TLS 1.3 on the same machine, as a ratio.
 *
 *   php -n -d extension=modules/sqauth.so bench/layer.php [--mib=N]
 *
 * Needs the test servers (sh tests/setup/servers.sh start; sh tests/setup/cyrus.sh start).
 * Layers: a real Cyrus SASL server echoes everything back through sasl_decode/sasl_encode.
 * TLS: `openssl s_server -rev` (started here on a free loopback port) echoes each line
 * reversed; the client is PHP's own TLS stream. Both paths carry the same bytes both ways
 * (printable 1 KiB lines), and each echo is checked before it counts. The server's work is
 * in every figure: these are end-to-end MiB/s on loopback, compared as ratios.
 */
declare(strict_types=1);

// for test_env_file() only: this script has always ignored unknown arguments and has
// no --help, so it keeps its own --mib loop and messages
require __DIR__ . '/common.inc';

$mib = 8;
foreach (array_slice($argv, 1) as $a) {
    if (preg_match('/^--mib=(\d+)$/', $a, $m)) {
        $mib = max(1, (int)$m[1]);
    }
}
$env = json_decode((string)@file_get_contents(test_env_file()), true);
if (!$env || empty($env['SQAUTH_TEST_CYRUS_AUTHCONF_PORT'])) {
    fwrite(STDERR, "start the test servers first (tests/setup/servers.sh start; tests/setup/cyrus.sh start)\n");
    exit(1);
}

/* One megabyte of printable lines, each 1023 bytes + LF (s_server -rev works on lines). */
$line = substr(str_repeat(bin2hex(random_bytes(512)), 1), 0, 1023);
$block = str_repeat($line . "\n", 1024);

function pump($stream, string $block, int $mib, callable $expect): float
{
    $t = hrtime(true);
    for ($i = 0; $i < $mib; $i++) {
        fwrite($stream, $block);
        $got = '';
        while (strlen($got) < strlen($block)) {
            $chunk = fread($stream, 65536);
            if ($chunk === false || $chunk === '') {
                throw new RuntimeException('echo stopped after ' . strlen($got) . ' bytes');
            }
            $got .= $chunk;
        }
        if (!$expect($got)) {
            throw new RuntimeException('echo does not match what was sent');
        }
    }
    return $mib / ((hrtime(true) - $t) / 1e9);
}

$results = [];
$same = fn(string $got) => $got === $block;
foreach ([['auth-conf', 'rc4', $env['SQAUTH_TEST_CYRUS_AUTHCONF_PORT']],
          ['auth-conf', '3des', $env['SQAUTH_TEST_CYRUS_3DES_PORT']],
          ['auth-conf', 'des', $env['SQAUTH_TEST_CYRUS_AUTHCONF_PORT']],
          ['auth-int', null, $env['SQAUTH_TEST_CYRUS_AUTHINT_PORT']],
          ['auth', null, $env['SQAUTH_TEST_CYRUS_AUTH_PORT']]] as [$qop, $cipher, $port]) {
    $c = SqAuth\Connection::open("imap://127.0.0.1:$port", ['tls' => 'none', 'timeout' => 30]);
    $opts = ['qop' => [$qop]] + ($cipher ? ['cipher' => $cipher] : []);
    $c->authenticate('DIGEST-MD5', $env['SQAUTH_TEST_USER'], $env['SQAUTH_TEST_PASS'], $opts);
    $layer = $c->securityLayer();
    if (($layer['qop'] ?? 'auth') !== $qop || ($cipher && $layer['cipher'] !== $cipher)) {
        fwrite(STDERR, "negotiated " . json_encode($layer) . ", wanted $qop $cipher\n");
        exit(1);
    }
    $label = 'sqauth DIGEST-MD5 ' . $qop . ($cipher ? " $cipher" : ($qop === 'auth' ? ' (no layer)' : ''));
    $results[$label] = pump($c->stream(), $block, $mib, $same);
    $c->close();
}

/* TLS 1.3 through openssl s_server -rev. */
$sock = stream_socket_server('tcp://127.0.0.1:0');
$port = (int)substr(strrchr(stream_socket_get_name($sock, false), ':'), 1);
fclose($sock);
$certs = $env['SQAUTH_TEST_CERTS'];
$proc = proc_open(['openssl', 's_server', '-quiet', '-rev', '-tls1_3', '-accept', "127.0.0.1:$port",
    '-cert', "$certs/server.pem", '-key', "$certs/server.key"], [0 => ['pipe', 'r'], 1 => ['file', '/dev/null', 'w'],
    2 => ['file', '/dev/null', 'w']], $pipes);
$tls = false;
for ($i = 0; $i < 50 && !$tls; $i++) {
    usleep(100000);
    $ctx = stream_context_create(['ssl' => ['cafile' => $env['SQAUTH_TEST_CA'], 'peer_name' => 'localhost']]);
    $tls = @stream_socket_client("tls://127.0.0.1:$port", $errno, $errstr, 5, STREAM_CLIENT_CONNECT, $ctx);
}
if (!$tls) {
    proc_terminate($proc);
    fwrite(STDERR, "openssl s_server did not start\n");
    exit(1);
}
$meta = stream_get_meta_data($tls);
$reversed = implode("\n", array_map('strrev', explode("\n", $block)));
$results['PHP TLS stream, ' . ($meta['crypto']['protocol'] ?? 'TLS') . ' ' . ($meta['crypto']['cipher_name'] ?? '')]
    = pump($tls, $block, $mib, fn(string $got) => $got === $reversed);
fclose($tls);
proc_terminate($proc);
proc_close($proc);

$tlsRate = end($results);
printf("%-52s %10s %14s\n", "echo of {$mib} MiB each way, loopback", 'MiB/s', 'vs TLS 1.3');
foreach ($results as $label => $rate) {
    printf("%-52s %10.1f %13.2fx\n", $label, $rate, $rate / $tlsRate);
}
