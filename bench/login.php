<?php
/**
 * Login benchmark: connect + TLS + authenticate + logout against the test
 * Dovecot over IMAPS, many times from one process, sqauth against
 * Horde_Imap_Client, libcurl (PHP's curl extension) and hand-written PHP
 * streams (what SquirrelMail does today).
 *
 * Run from the project root, with the test servers up
 * (sh tests/setup/servers.sh start):
 *
 *   php -n -d extension=modules/sqauth.so -d extension=curl bench/login.php [--iterations=N] [--json]
 *
 * (openssl is built into Debian's PHP CLI; Horde comes from the Debian
 * package php-horde-imap-client under /usr/share/php.)
 *
 * Options:
 *   --iterations=N   logins per contender per round (default 30)
 *   --rounds=R       interleaved rounds; the median is reported (default 5)
 *   --json           print the results as JSON instead of a table
 *
 * Two Dovecot instances from tests/setup/servers.sh, the same configuration
 * but for the login service:
 *   resume (SQAUTH_TEST_IMAPS_RESUME_PORT): imap-login in "high-performance"
 *          mode, one long-lived process, so its TLS tickets can be resumed
 *          (the issue allows a bench to tune Dovecot's login services);
 *   main   (SQAUTH_TEST_IMAPS_PORT): the default, a new login process with
 *          new ticket keys per connection, so nobody resumes.
 * Every login goes to 127.0.0.1 as SQAUTH_TEST_USER, verifies the
 * certificate against the test CA with the peer name "localhost" and ends
 * with LOGOUT. Contenders marked "resumed" must resume their TLS session
 * after their first login (checked); all others must make a full handshake
 * every time (checked too).
 *
 * PLAIN:
 *   sqauth       Connection::open('imaps://...', ['cafile','peer_name','timeout'])
 *                + authenticate('PLAIN', ...) + close(): greeting (its
 *                [CAPABILITY] code), AUTHENTICATE PLAIN with SASL-IR, LOGOUT.
 *                Its per-process TLS session cache is on, as by default
 *                (resumed); "session_resumption off" is the same with
 *                'session_resumption' => false.
 *   Horde        Horde_Imap_Client_Socket (secure 'ssl', 'context' with the
 *                CA) + login() + logout(): the same three exchanges (Horde
 *                picks PLAIN first on a secure connection; checked).
 *   libcurl      a new curl handle per login, imaps://localhost (pinned to
 *                127.0.0.1 with CURLOPT_RESOLVE), CURLOPT_LOGIN_OPTIONS
 *                'AUTH=PLAIN', CURLOPT_CAINFO, CURLOPT_FRESH_CONNECT,
 *                CURLOPT_FORBID_REUSE, no SSL session-ID cache, and
 *                CURLOPT_CUSTOMREQUEST 'NOOP': curl also sends CAPABILITY
 *                before and NOOP after AUTHENTICATE (two round trips more).
 *                "fresh" is the issue's reference. "shared session cache":
 *                the same, but with CURLOPT_SSL_SESSIONID_CACHE on and a
 *                curl_share handle sharing CURL_LOCK_DATA_SSL_SESSION
 *                between the handles (resumed): like for like with sqauth.
 *   PHP streams  stream_socket_client('ssl://...') with a stream context,
 *                greeting, "AUTHENTICATE PLAIN <base64>" (SASL-IR), LOGOUT.
 * SCRAM-SHA-256 (Dovecot: 4096 iterations):
 *   sqauth       the same with authenticate('SCRAM-SHA-256', ...); the server
 *                signature is checked.
 *   PHP streams + Horde's SCRAM class: the hand-written framing above driving
 *                Horde_Imap_Client_Auth_Scram('SHA256'). Not Horde itself:
 *                Horde_Imap_Client_Socket::_tryLogin() knows only SCRAM-SHA-1,
 *                and Horde's SCRAM class needs Horde_Stringprep, which Debian
 *                does not package (as in bench/sasl.php, a subclass does the
 *                constructor's work without SASLprep; the ASCII credentials
 *                are unchanged by it).
 *   libcurl      tried once with 'AUTH=SCRAM-SHA-256' and timed only if that
 *                works: curl does SCRAM only when built with libgsasl, and
 *                Debian's 7.88 is not ("No known authentication mechanisms
 *                supported", curl error 67).
 * SCRAM-SHA-256 to SQAUTH_TEST_SCRAM_USER (main instance), whose stored SCRAM
 * keys keep one salt (issue 12's SCRAM key cache; from the plaintext passdb
 * Dovecot picks a new salt per login and no cache can hit):
 *   sqauth       as above: after the first login its key cache hits (checked:
 *                every timed login a hit), no PBKDF2;
 *   sqauth, scram_cache off  the same with 'scram_cache' => false: PBKDF2 on
 *                every login.
 *
 * Measured: client CPU per login = (ru_utime + ru_stime) delta of this
 * process over a round's N logins / N (curl's resolver thread included),
 * wall time per login = hrtime delta / N; median of R rounds. Server CPU is
 * not counted, but Dovecot shares the 2 cores (a new imap process per login
 * on both instances, which is what dominates wall time).
 *
 * Before timing, every contender must log in once (and show post-login
 * capabilities or a successful command), must fail with a wrong password,
 * and must refuse the server when given a CA that did not sign its
 * certificate; otherwise the script aborts (exit 1). Every timed login is
 * checked too. There are no speed assertions: the exit status does not
 * depend on timings. Default run: about 50-60 s (wall time is set by Dovecot).
 */

// Horde creates dynamic properties, which PHP 8.2 reports as deprecated.
error_reporting(E_ALL & ~E_DEPRECATED & ~E_USER_DEPRECATED);

const SCRIPT = 'bench/login.php';
require __DIR__ . '/common.inc';

/* ---------------------------------------------------------------- options */

$opt = parse_options($argv, ['iterations', 'rounds', 'json']);
$N = int_opt($opt, 'iterations', 30);
$ROUNDS = int_opt($opt, 'rounds', 5);
$JSON = isset($opt['json']);

$RUN = 'php -n -d extension=modules/sqauth.so -d extension=curl bench/login.php';
if (!extension_loaded('sqauth')) {
    fail("the sqauth extension is not loaded; run: $RUN");
}
if (!extension_loaded('curl')) {
    fail("PHP's curl extension is not loaded; run: $RUN");
}
if (!extension_loaded('openssl')) {
    fail('PHP\'s openssl extension is missing (add -d extension=openssl if it is shared on this system)');
}
load_peers(['Horde/Imap/Client/Socket.php', 'Horde/Imap/Client/Auth/Scram.php', 'Horde/Socket/Client.php'],
    'the Debian package php-horde-imap-client');

/* ------------------------------------------------------------ environment */

$ENV = test_env();
$CFG = [
    'host' => $ENV['SQAUTH_TEST_HOST'],          // 127.0.0.1
    'name' => $ENV['SQAUTH_TEST_HOSTNAME'],      // localhost (in the certificate)
    'port' => (int)$ENV['SQAUTH_TEST_IMAPS_PORT'],
    'ca' => $ENV['SQAUTH_TEST_CA'],
    'user' => $ENV['SQAUTH_TEST_USER'],
    'pass' => $ENV['SQAUTH_TEST_PASS'],
];
$OTHER_CA = $ENV['SQAUTH_TEST_OTHER_CA'];
need_servers([$CFG['ca'], $OTHER_CA], $CFG['host'], [$CFG['port']]);

/**
 * Horde_Imap_Client_Auth_Scram without SASLprep (Horde_Stringprep is not in
 * Debian, so the real constructor always throws). Everything it does besides
 * SASLprep is here, including the random nonce; the protocol maths
 * (getClientFirstMessage, parseServerFirstMessage, getClientFinalMessage with
 * Horde_Crypt_Blowfish_Pbkdf2 -> hash_pbkdf2(), parseServerFinalMessage) is
 * Horde's own.
 */
class Bench_Horde_Scram extends Horde_Imap_Client_Auth_Scram
{
    public function __construct($user, $pass, $hash = 'SHA1')
    {
        $this->_hash = $hash;
        $this->_user = $user;
        $this->_pass = $pass;
        $this->_nonce = strval(new Horde_Support_Randomid());
    }
}

/* ------------------------------------------------------------ contenders */

// Each contender logs in once; $cfg may carry a wrong CA or password for the
// negative checks. It throws on any failure and returns evidence of success
// for the pre-check: ['logged_in' => bool, 'mech' => string, 'tls' => string].

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

function imaps_stream(array $cfg)
{
    return imap_stream_open("ssl://{$cfg['host']}:{$cfg['port']}", [
        'verify_peer' => true,
        'verify_peer_name' => true,
        'peer_name' => $cfg['name'],
        'cafile' => $cfg['ca'],
    ]);
}

function stream_logout($fp): void
{
    fwrite($fp, "z LOGOUT\r\n");
    [, $tagged] = imap_until_tagged($fp, 'z');
    if (strncasecmp($tagged, 'z OK', 4) !== 0) {
        throw new RuntimeException("LOGOUT: $tagged");
    }
}

function login_sqauth(string $mech, array $cfg, bool $evidence = false, bool $resume = true, bool $keyCache = true): array
{
    $c = \SqAuth\Connection::open("imaps://{$cfg['host']}:{$cfg['port']}", [
        'cafile' => $cfg['ca'],
        'peer_name' => $cfg['name'],
        'timeout' => 10,
        'session_resumption' => $resume,
    ]);
    try {
        $c->authenticate($mech, $cfg['user'], $cfg['pass'], $keyCache ? [] : ['scram_cache' => false]);
        $r = [];
        if ($evidence) {
            $t = $c->tlsInfo();
            $r = [
                'logged_in' => in_array('NAMESPACE', $c->capabilities(), true),
                'mech' => $mech,
                'tls' => $t['protocol'] . ' ' . $t['cipher'] . (!empty($t['session_reused']) ? ' RESUMED' : ''),
            ];
        }
    } finally {
        $c->close();
    }
    return $r;
}

function login_horde(array $cfg, bool $evidence = false): array
{
    $imap = new Horde_Imap_Client_Socket([
        'username' => $cfg['user'],
        'password' => $cfg['pass'],
        'hostspec' => $cfg['host'],
        'port' => $cfg['port'],
        'secure' => 'ssl',
        'timeout' => 10,
        'context' => ['ssl' => [
            'verify_peer' => true,
            'verify_peer_name' => true,
            'peer_name' => $cfg['name'],
            'cafile' => $cfg['ca'],
        ]],
    ]);
    $imap->login();
    $r = [];
    if ($evidence) {
        $init = (new ReflectionProperty($imap, '_init'))->getValue($imap);
        $conn = (new ReflectionProperty($imap, '_connection'))->getValue($imap);
        $stream = (new ReflectionProperty($conn, '_stream'))->getValue($conn);
        $crypto = stream_get_meta_data($stream)['crypto'] ?? [];
        $r = [
            'logged_in' => $imap->capability->query('NAMESPACE'),
            'mech' => $init['authmethod'] ?? '?',
            'tls' => ($crypto['protocol'] ?? 'no TLS') . ' ' . ($crypto['cipher_name'] ?? ''),
        ];
    }
    $imap->logout();
    return $r;
}

// libcurl's own session cache, shared between easy handles (as a curl_multi
// or a long-lived handle would have it): like-for-like with sqauth's.
function curl_session_share(): CurlShareHandle
{
    static $sh = null;
    if ($sh === null) {
        $sh = curl_share_init();
        curl_share_setopt($sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    }
    return $sh;
}

function login_curl(string $mech, array $cfg, bool $evidence = false, bool $resume = false): array
{
    $h = curl_init("imaps://{$cfg['name']}:{$cfg['port']}/");
    $opts = [
        CURLOPT_RESOLVE => ["{$cfg['name']}:{$cfg['port']}:{$cfg['host']}"],
        CURLOPT_USERNAME => $cfg['user'],
        CURLOPT_PASSWORD => $cfg['pass'],
        CURLOPT_LOGIN_OPTIONS => "AUTH=$mech",
        CURLOPT_CAINFO => $cfg['ca'],
        CURLOPT_SSL_VERIFYPEER => true,
        CURLOPT_SSL_VERIFYHOST => 2,
        CURLOPT_FRESH_CONNECT => true,
        CURLOPT_FORBID_REUSE => true,
        CURLOPT_SSL_SESSIONID_CACHE => $resume,
        CURLOPT_CUSTOMREQUEST => 'NOOP',
        CURLOPT_RETURNTRANSFER => true,
        CURLOPT_CONNECTTIMEOUT => 10,
        CURLOPT_TIMEOUT => 10,
    ];
    if ($resume) {
        $opts[CURLOPT_SHARE] = curl_session_share();
    }
    if ($evidence) {
        $log = fopen('php://temp', 'w+');
        $opts[CURLOPT_VERBOSE] = true;
        $opts[CURLOPT_STDERR] = $log;
    }
    curl_setopt_array($h, $opts);
    $out = curl_exec($h);
    $errno = curl_errno($h);
    $error = curl_error($h);
    curl_close($h);
    if ($out === false || $errno !== 0) {
        throw new RuntimeException("curl error $errno: $error");
    }
    if (!$evidence) {
        return [];
    }
    rewind($log);
    $v = stream_get_contents($log);
    preg_match('/SSL connection using (\S+) \/ (\S+)/', $v, $m);
    return [
        'logged_in' => (bool)preg_match('/^< A\d+ OK .*Logged in/m', $v) && (bool)preg_match('/^< A\d+ OK NOOP/m', $v),
        'mech' => preg_match('/^> A\d+ AUTHENTICATE (\S+)/m', $v, $a) ? $a[1] : '?',
        'tls' => ($m ? "$m[1] $m[2]" : '?') . (str_contains($v, 'SSL re-using session ID') ? ' RESUMED' : ''),
        // a resumed handshake has no certificate to verify again
        'verify' => str_contains($v, 'SSL certificate verify ok') || str_contains($v, 'SSL re-using session ID'),
    ];
}

function login_streams_plain(array $cfg, bool $evidence = false): array
{
    $fp = imaps_stream($cfg);
    try {
        $ir = base64_encode("\0{$cfg['user']}\0{$cfg['pass']}");
        fwrite($fp, "a AUTHENTICATE PLAIN $ir\r\n");
        [, $tagged] = imap_until_tagged($fp, 'a');
        if (strncasecmp($tagged, 'a OK', 4) !== 0) {
            throw new RuntimeException("AUTHENTICATE PLAIN: $tagged");
        }
        $r = [];
        if ($evidence) {
            $crypto = stream_get_meta_data($fp)['crypto'] ?? [];
            $r = ['logged_in' => str_contains($tagged, 'NAMESPACE'), 'mech' => 'PLAIN',
                  'tls' => ($crypto['protocol'] ?? 'no TLS') . ' ' . ($crypto['cipher_name'] ?? '')];
        }
        stream_logout($fp);
    } finally {
        fclose($fp);
    }
    return $r;
}

function login_streams_horde_scram(array $cfg, bool $evidence = false): array
{
    $fp = imaps_stream($cfg);
    try {
        $scram = new Bench_Horde_Scram($cfg['user'], $cfg['pass'], 'SHA256');
        fwrite($fp, 'a AUTHENTICATE SCRAM-SHA-256 ' . base64_encode($scram->getClientFirstMessage()) . "\r\n");
        $line = fgets($fp, 8192);
        if ($line === false || strncmp($line, '+ ', 2) !== 0) {
            throw new RuntimeException('no server-first message: ' . var_export($line, true));
        }
        if (!$scram->parseServerFirstMessage(base64_decode(trim(substr($line, 2))))) {
            fwrite($fp, "*\r\n");
            throw new RuntimeException('Horde rejected the server-first message');
        }
        fwrite($fp, base64_encode($scram->getClientFinalMessage()) . "\r\n");
        $line = fgets($fp, 8192);
        if ($line === false || strncmp($line, '+ ', 2) !== 0) {
            throw new RuntimeException('no server-final message: ' . var_export($line, true));
        }
        if (!$scram->parseServerFinalMessage(base64_decode(trim(substr($line, 2))))) {
            throw new RuntimeException('server signature not verified');
        }
        fwrite($fp, "\r\n");
        [, $tagged] = imap_until_tagged($fp, 'a');
        if (strncasecmp($tagged, 'a OK', 4) !== 0) {
            throw new RuntimeException("AUTHENTICATE SCRAM-SHA-256: $tagged");
        }
        $r = [];
        if ($evidence) {
            $crypto = stream_get_meta_data($fp)['crypto'] ?? [];
            $r = ['logged_in' => str_contains($tagged, 'NAMESPACE'), 'mech' => 'SCRAM-SHA-256',
                  'tls' => ($crypto['protocol'] ?? 'no TLS') . ' ' . ($crypto['cipher_name'] ?? '')];
        }
        stream_logout($fp);
    } finally {
        fclose($fp);
    }
    return $r;
}

$sq = fn (string $mech, bool $resume) => fn (array $cfg, bool $ev = false) => login_sqauth($mech, $cfg, $ev, $resume);
$cu = fn (string $mech, bool $resume) => fn (array $cfg, bool $ev = false) => login_curl($mech, $cfg, $ev, $resume);
const CURL_FRESH = 'libcurl, fresh (+CAPABILITY, NOOP)';
const CURL_SHARED = 'libcurl, shared session cache';
// 'server': which Dovecot instance; 'resumes': contenders that must resume
// their TLS sessions after the first login (checked, like everything else).
$GROUPS = [
    'plain' => [
        'title' => 'IMAPS login, PLAIN, Dovecot in high-performance login mode (TLS sessions resumable)',
        'server' => 'resume',
        'mech' => 'PLAIN',
        'impls' => [
            'sqauth' => $sq('PLAIN', true),
            'sqauth, session_resumption off' => $sq('PLAIN', false),
            CURL_FRESH => $cu('PLAIN', false),
            CURL_SHARED => $cu('PLAIN', true),
            'Horde_Imap_Client_Socket' => 'login_horde',
            'PHP streams' => 'login_streams_plain',
        ],
        'resumes' => ['sqauth', CURL_SHARED],
    ],
    'plain_fork' => [
        'title' => 'IMAPS login, PLAIN, Dovecot default login mode (a login process per connection: no resumption)',
        'server' => 'main',
        'mech' => 'PLAIN',
        'impls' => [
            'sqauth' => $sq('PLAIN', true),
            CURL_FRESH => $cu('PLAIN', false),
            'Horde_Imap_Client_Socket' => 'login_horde',
            'PHP streams' => 'login_streams_plain',
        ],
        'resumes' => [],
    ],
    'scram' => [
        'title' => 'IMAPS login, SCRAM-SHA-256 (i=4096), Dovecot in high-performance login mode',
        'server' => 'resume',
        'mech' => 'SCRAM-SHA-256',
        'impls' => [
            'sqauth' => $sq('SCRAM-SHA-256', true),
            'sqauth, session_resumption off' => $sq('SCRAM-SHA-256', false),
            'PHP streams + Horde SCRAM class' => 'login_streams_horde_scram',
        ],
        'resumes' => ['sqauth'],
    ],
    // The SCRAM key cache needs a salt that stays: the SCRAM-only account
    // with stored keys (from the plaintext passdb Dovecot makes up a new salt
    // per login, so a cache can never hit there).
    'scram_stored' => [
        'title' => 'IMAPS login, SCRAM-SHA-256 (i=4096) to an account with stored SCRAM keys, default login mode',
        'server' => 'main_scram',
        'mech' => 'SCRAM-SHA-256',
        'impls' => [
            'sqauth' => fn (array $cfg, bool $ev = false) => login_sqauth('SCRAM-SHA-256', $cfg, $ev, true, true),
            'sqauth, scram_cache off' => fn (array $cfg, bool $ev = false) => login_sqauth('SCRAM-SHA-256', $cfg, $ev, true, false),
        ],
        'resumes' => [],
    ],
];
$NOT_AVAILABLE = [
    'Horde_Imap_Client_Socket, SCRAM-SHA-256' => '_tryLogin() implements only SCRAM-SHA-1 ("Unknown authentication method")'
        . (class_exists('Horde_Stringprep') ? '' : ', and its SCRAM class needs Horde_Stringprep, which is not installed (Debian does not package it)'),
    'Horde_Imap_Client_Socket and PHP streams, resumed' => 'PHP\'s ssl:// streams cannot resume a TLS session on the client side',
];
// libcurl does SCRAM only when built with libgsasl; ask it rather than assume.
try {
    login_curl('SCRAM-SHA-256', $CFG);
    $GROUPS['scram']['impls'][CURL_FRESH] = $cu('SCRAM-SHA-256', false);
} catch (Throwable $e) {
    $NOT_AVAILABLE['libcurl, SCRAM-SHA-256'] = 'curl ' . curl_version()['version'] . ' refuses it (' . $e->getMessage()
        . '; "No known authentication mechanisms supported": built without libgsasl)';
}
$SERVERS = [
    'main' => ['port' => (int)$ENV['SQAUTH_TEST_IMAPS_PORT']] + $CFG,
    'resume' => ['port' => (int)$ENV['SQAUTH_TEST_IMAPS_RESUME_PORT']] + $CFG,
];
if (isset($ENV['SQAUTH_TEST_SCRAM_USER'])) {
    $SERVERS['main_scram'] = ['user' => $ENV['SQAUTH_TEST_SCRAM_USER'], 'pass' => $ENV['SQAUTH_TEST_SCRAM_PASS']] + $SERVERS['main'];
} else {
    unset($GROUPS['scram_stored']);
    $NOT_AVAILABLE['SCRAM key cache'] = 'the test servers have no SCRAM account with stored keys (restart them with this tree\'s tests/setup)';
}

/* ---------------------------------------------------------- verification */

$EVIDENCE = [];
foreach ($GROUPS as $g => $def) {
    $cfg = $SERVERS[$def['server']];
    foreach ($def['impls'] as $who => $fn) {
        // twice: the second login shows whether the TLS session was resumed
        foreach ([0, 1] as $attempt) {
            try {
                $ev = $fn($cfg, true);
            } catch (Throwable $e) {
                fail("$who ({$def['mech']}) did not log in: " . get_class($e) . ': ' . $e->getMessage());
            }
            // (the first login of a resuming contender may already resume:
            // its cache is per process, shared with the other groups)
            $resumed = str_contains($ev['tls'], 'RESUMED');
            $want = in_array($who, $def['resumes'], true);
            if ($resumed !== $want && ($attempt === 1 || !$want)) {
                fail("$who ({$def['mech']}, login " . ($attempt + 1) . ' on the ' . $def['server'] . ' server): expected '
                     . ($want ? 'a resumed TLS session' : 'a full TLS handshake') . ", got: {$ev['tls']}");
            }
        }
        if (empty($ev['logged_in'])) {
            fail("$who ({$def['mech']}): no sign of a successful login: " . var_export($ev, true));
        }
        if ($ev['mech'] !== $def['mech']) {
            fail("$who used {$ev['mech']}, not {$def['mech']}");
        }
        if (!str_starts_with($ev['tls'], 'TLSv1')) {
            fail("$who ({$def['mech']}): no TLS: {$ev['tls']}");
        }
        if (isset($ev['verify']) && !$ev['verify']) {
            fail("$who ({$def['mech']}): the certificate was not verified");
        }
        foreach (['ca' => $OTHER_CA, 'pass' => $CFG['pass'] . 'x'] as $k => $bad) {
            $refused = false;
            try {
                $fn([$k => $bad] + $cfg);
            } catch (Throwable $e) {
                $refused = true;
            }
            if (!$refused) {
                fail("$who ({$def['mech']}) succeeded with a wrong " . ($k === 'ca' ? "CA ($OTHER_CA)" : 'password'));
            }
        }
        $EVIDENCE[$g][$who] = $ev;
        $EVIDENCE[$g][$who]['tls'] = str_replace(' RESUMED', '', $ev['tls'])
            . (in_array($who, $def['resumes'], true) ? ' (resumed)' : '');
    }
}

/* ------------------------------------------------------------------ timing */

$t_start = hrtime(true);
foreach ($GROUPS as $g => $def) {       // warm-up: autoloading, allocator, caches
    foreach ($def['impls'] as $who => $fn) {
        for ($i = 0; $i < 3; $i++) {
            $fn($SERVERS[$def['server']]);
        }
    }
}

// All contenders of all groups take turns within each round.
$RUNS = [];
foreach ($GROUPS as $g => $def) {
    foreach ($def['impls'] as $who => $fn) {
        $cfg = $SERVERS[$def['server']];
        $RUNS["$who ({$def['mech']}, group $g)"] = fn () => $fn($cfg);
    }
}
$hits_before = \SqAuth\features()['scram_cache_hits'];
$timed = time_interleaved($RUNS, $ROUNDS, $N);
$samples = [];
foreach ($GROUPS as $g => $def) {
    foreach ($def['impls'] as $who => $fn) {
        $samples[$g][$who] = $timed["$who ({$def['mech']}, group $g)"];
    }
}
$elapsed = (hrtime(true) - $t_start) / 1e9;
// Every timed login of the key cache row must have been a hit.
if (isset($GROUPS['scram_stored']) && \SqAuth\features()['scram_cache_hits'] - $hits_before < $N * $ROUNDS) {
    fail('the SCRAM key cache did not hit on every login of the "scram_stored" sqauth row');
}

/* ----------------------------------------------------------------- results */

$results = [];
foreach ($GROUPS as $g => $def) {
    $results[$g]['title'] = $def['title'] . " on {$CFG['host']}:{$SERVERS[$def['server']]['port']}";
    foreach ($def['impls'] as $who => $fn) {
        $s = $samples[$g][$who];
        $results[$g]['rows'][$who] = [
            'cpu_ms' => round(median($s['cpu']), 3),
            'wall_ms' => round(median($s['wall']), 2),
            'tls' => $EVIDENCE[$g][$who]['tls'],
            'rounds_cpu_ms' => array_map(fn ($x) => round($x, 3), $s['cpu']),
            'rounds_wall_ms' => array_map(fn ($x) => round($x, 2), $s['wall']),
        ];
    }
}

$targets = [];
$rows = $results['plain']['rows'];
foreach ([
    ['sqauth client CPU per login <= half of libcurl\'s (IMAPS, PLAIN; libcurl with a fresh connection each time, as the issue defines it)', 'sqauth', CURL_FRESH, 2.0],
    ['like for like, both resuming: sqauth vs libcurl with its shared session cache', 'sqauth', CURL_SHARED, null],
    ['like for like, neither resuming: sqauth without resumption vs libcurl fresh', 'sqauth, session_resumption off', CURL_FRESH, null],
] as [$what, $a, $b, $need]) {
    $x = $rows[$a]['cpu_ms'];
    $y = $rows[$b]['cpu_ms'];
    $targets[] = [
        'target' => $what,
        'sqauth' => $a,
        'peer' => $b,
        'sqauth_cpu_ms' => $x,
        'peer_cpu_ms' => $y,
        'measured_peer_over_sqauth' => $x > 0 ? round($y / $x, 2) : null,
        'required' => $need,
        'met' => $need === null ? null : ($x > 0 && $y / $x >= $need),
    ];
}
// Measured before sqauth existed (IMAPS, PLAIN, client CPU per login).
$BEFORE = ['Horde' => 4.0, 'libcurl' => 3.5, 'PHP streams' => 3.7, 's_time floor' => 1.3];

$env = [
    'php' => PHP_VERSION,
    'sqauth' => phpversion('sqauth'),
    'openssl' => \SqAuth\features()['openssl'] ?? OPENSSL_VERSION_TEXT,
    'php_openssl' => OPENSSL_VERSION_TEXT,
    'curl' => curl_version()['version'] . ' ' . curl_version()['ssl_version'],
    'cpu' => machine()['cpu'],
    'cpus' => machine()['cpus'],
    'logins_per_round' => $N,
    'rounds' => $ROUNDS,
    'statistic' => 'median of rounds; client (this process) CPU user+sys ms and wall ms per login',
    'server' => 'Dovecot as configured by tests/setup/servers.sh: instance "resume" (high-performance login mode: one long-lived imap-login process, so TLS tickets can be resumed) and instance "main" (default: a new imap-login process per connection); a new imap process per login in both; shares the CPUs, not counted in client CPU',
    'elapsed_s' => round($elapsed, 1),
];

if ($JSON) {
    print_json(['environment' => $env, 'groups' => $results, 'not_available' => $NOT_AVAILABLE,
                      'targets' => $targets, 'measured_before_sqauth_cpu_ms' => $BEFORE]);
}

printf("sqauth %s login benchmark: PHP %s, %s, curl %s, %s x%s\n", $env['sqauth'], $env['php'], $env['openssl'],
       $env['curl'], $env['cpu'], $env['cpus'] ?? '?');
printf("connect + TLS (verified) + authenticate + LOGOUT, %d logins per contender per round,\n"
       . "median of %d interleaved rounds. Client CPU = this process's user+sys time.\n", $N, $ROUNDS);
printf("Servers: Dovecot as configured in tests/setup, tuned login service (instance \"resume\": high-performance mode,\n"
       . "one long-lived imap-login process) and default (instance \"main\": a login process per connection); a new\n"
       . "imap process per login; they share the CPUs. All contenders checked: login OK, wrong password and wrong CA\n"
       . "refused, TLS sessions resumed exactly where marked (resumed).\n");
foreach ($results as $g => $res) {
    printf("\n%s\n", $res['title']);
    printf("  %-36s %14s %14s %9s %9s  %s\n", 'contender', 'CPU ms/login', 'wall ms/login', 'CPU ×', 'wall ×', 'TLS');
    $base = $res['rows']['sqauth'];
    foreach ($res['rows'] as $who => $r) {
        printf("  %-36s %14s %14s %9s %9s  %s\n", $who, number_format($r['cpu_ms'], 3), number_format($r['wall_ms'], 2),
               $base['cpu_ms'] > 0 ? number_format($r['cpu_ms'] / $base['cpu_ms'], 2) : '-',
               $base['wall_ms'] > 0 ? number_format($r['wall_ms'] / $base['wall_ms'], 2) : '-', $r['tls']);
    }
}
printf("\nNot measured:\n");
foreach ($NOT_AVAILABLE as $what => $why) {
    printf("  %s: %s\n", $what, $why);
}
printf("\n× = contender / sqauth (above 1: sqauth uses less).\n");
foreach ($targets as $t) {
    if ($t['required'] === null) {
        printf("  %s: %s / %s = %.2f\n", $t['target'], $t['peer'], $t['sqauth'], $t['measured_peer_over_sqauth'] ?? 0);
    } else {
        printf("Target: %s: %s (%s / %s = %.2f, need >= %.1f)\n", $t['target'], $t['met'] ? 'MET' : 'NOT MET',
               $t['peer'], $t['sqauth'], $t['measured_peer_over_sqauth'] ?? 0, $t['required']);
    }
}
printf("Before sqauth (IMAPS, PLAIN, CPU ms/login): Horde %.1f, libcurl %.1f, PHP streams %.1f, s_time floor %.1f.\n",
       $BEFORE['Horde'], $BEFORE['libcurl'], $BEFORE['PHP streams'], $BEFORE['s_time floor']);
printf("Elapsed %.1f s.\n", $elapsed);
exit(0);
