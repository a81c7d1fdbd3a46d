<?php
/*
 * Readiness of the test servers: waits until every endpoint answers as a real client needs it
 * to, or says which ones never did and what they last answered. Run with `php -n` (PHP's own
 * streams and openssl, never sqauth: the servers are proven before the code under test runs).
 *
 *   php -n ready.php [--timeout=SECONDS] NAME=KIND://HOST:PORT ...
 *
 * A listening port is not readiness: Dovecot forks a login process per connection and that
 * process greets only once it is connected to the auth process; a client that speaks first
 * gets "* OK Waiting for authentication process to respond..". So each KIND is a short real
 * session that must end with the server listing its SASL mechanisms:
 *
 *   imap            greeting "* OK [CAPABILITY ... AUTH=...]"
 *   imap+starttls   greeting with STARTTLS, then STARTTLS, handshake, CAPABILITY with AUTH=
 *   imaps           handshake, then the greeting with AUTH=
 *   pop3+stls       "+OK", STLS, handshake, CAPA with a non-empty SASL line
 *   pop3s           handshake, "+OK", CAPA with a non-empty SASL line
 *   smtp+starttls   220, EHLO with STARTTLS, STARTTLS, handshake, EHLO with an AUTH line
 *   smtps           handshake, 220, EHLO with an AUTH line
 *   sieve+starttls  ManageSieve capability greeting with "STARTTLS", then STARTTLS, handshake,
 *                   the capabilities again with a non-empty "SASL" list (RFC 5804 §2.2)
 *   smtp            220, EHLO answered 250 (a relay: no AUTH)
 *   lmtp            220, LHLO answered 250
 *   http            POST "token=..." answered 200 with a JSON object (the OAuth2 endpoint)
 *   tcp             accepts a connection (openssl s_server, which greets with nothing)
 *
 * Certificates are not checked here (some servers carry bad ones on purpose; smoke.sh checks
 * them). Every attempt has a 3 s limit; all endpoints are retried every 0.2 s until the
 * overall timeout (default 30 s). Exit 0 when all are ready, 1 otherwise, 2 on bad usage.
 */

/* Each attempt: at most this, less when the overall timeout is nearer (at least 0.5 s). */
const ATTEMPT_SECONDS = 3.0;

function usage(string $why): never
{
    fwrite(STDERR, "ready.php: $why\nusage: php -n ready.php [--timeout=SECONDS] NAME=KIND://HOST:PORT ...\n");
    exit(2);
}

/* Server text for a message: one line, printable ASCII, bounded. */
function shown(string $s): string
{
    $s = preg_replace_callback('/[^\x20-\x7e]/', fn($m) => sprintf('\\x%02x', ord($m[0])), $s);
    return strlen($s) > 200 ? substr($s, 0, 200) . '...' : $s;
}

final class NotReady extends Exception
{
}

final class Probe
{
    /** @var resource */
    private $s;
    private float $deadline;
    private float $seconds;
    /** The last line the server sent (what a failure reports). */
    public string $last = '';

    public function __construct(string $host, int $port, bool $tls, float $seconds)
    {
        $this->seconds = $seconds;
        $this->deadline = microtime(true) + $seconds;
        $addr = (str_contains($host, ':') ? "[$host]" : $host) . ":$port";
        $ctx = stream_context_create(['ssl' => ['verify_peer' => false, 'verify_peer_name' => false]]);
        $s = @stream_socket_client(($tls ? 'tls://' : 'tcp://') . $addr, $errno, $errstr, $seconds,
            STREAM_CLIENT_CONNECT, $ctx);
        if (!$s) {
            throw new NotReady($errstr !== '' ? $errstr : "connect failed ($errno)");
        }
        $this->s = $s;
    }

    public function __destruct()
    {
        if (is_resource($this->s)) {
            fclose($this->s);
        }
    }

    public function line(): string
    {
        $left = $this->deadline - microtime(true);
        if ($left <= 0) {
            throw new NotReady('no answer within ' . $this->seconds . ' s' . ($this->last !== '' ? ' after "' . shown($this->last) . '"' : ''));
        }
        stream_set_timeout($this->s, (int)$left, (int)(fmod($left, 1.0) * 1e6));
        $l = fgets($this->s, 8192);
        if ($l === false) {
            $meta = stream_get_meta_data($this->s);
            throw new NotReady(($meta['timed_out'] ? 'no answer within ' . $this->seconds . ' s' : 'connection closed')
                . ($this->last !== '' ? ' after "' . shown($this->last) . '"' : ''));
        }
        return $this->last = rtrim($l, "\r\n");
    }

    public function send(string $text): void
    {
        if (@fwrite($this->s, $text) !== strlen($text)) {
            throw new NotReady('write failed');
        }
    }

    public function expect(string $regex): string
    {
        $l = $this->line();
        if (!preg_match($regex, $l)) {
            throw new NotReady('unexpected answer "' . shown($l) . '"');
        }
        return $l;
    }

    /* SMTP/LMTP multi-line reply: the lines, after checking the code of each. */
    public function reply(string $code): array
    {
        $lines = [];
        do {
            $l = $this->expect('/^' . $code . '[- ]/');
            $lines[] = substr($l, 4);
        } while ($l[3] === '-');
        return $lines;
    }

    public function startTls(): void
    {
        stream_set_timeout($this->s, (int)ceil($this->seconds));
        if (@stream_socket_enable_crypto($this->s, true, STREAM_CRYPTO_METHOD_TLS_CLIENT) !== true) {
            throw new NotReady('TLS handshake after STARTTLS failed');
        }
    }
}

function need_mechanisms(string $where, string $list): void
{
    if (!preg_match('/\bAUTH=\S/i', $list)) {
        throw new NotReady("$where lists no AUTH= mechanism: \"" . shown($list) . '"');
    }
}

function probe_imap(Probe $p, bool $starttls): void
{
    $g = $p->expect('/^\* OK \[CAPABILITY /');
    if (!$starttls) {
        need_mechanisms('the greeting', $g);
        return;
    }
    if (!preg_match('/\bSTARTTLS\b/', $g)) {
        throw new NotReady('the greeting offers no STARTTLS: "' . shown($g) . '"');
    }
    $p->send("r1 STARTTLS\r\n");
    $p->expect('/^r1 OK/');
    $p->startTls();
    $p->send("r2 CAPABILITY\r\n");
    $caps = $p->expect('/^\* CAPABILITY /');
    $p->expect('/^r2 OK/');
    need_mechanisms('CAPABILITY after STARTTLS', $caps);
    $p->send("r3 LOGOUT\r\n");
}

function probe_pop3(Probe $p, bool $stls): void
{
    $p->expect('/^\+OK/');
    if ($stls) {
        $p->send("STLS\r\n");
        $p->expect('/^\+OK/');
        $p->startTls();
    }
    $p->send("CAPA\r\n");
    $p->expect('/^\+OK/');
    $sasl = '';
    while (($l = $p->line()) !== '.') {
        if (preg_match('/^SASL (\S.*)$/i', $l, $m)) {
            $sasl = $m[1];
        }
    }
    if ($sasl === '') {
        throw new NotReady('CAPA lists no SASL mechanisms');
    }
    $p->send("QUIT\r\n");
}

function probe_smtp(Probe $p, string $hello, bool $starttls, bool $auth): void
{
    $p->reply('220');
    $p->send("$hello ready.probe\r\n");
    $ehlo = $p->reply('250');
    if ($starttls) {
        if (!preg_grep('/^STARTTLS\b/i', $ehlo)) {
            throw new NotReady('EHLO offers no STARTTLS');
        }
        $p->send("STARTTLS\r\n");
        $p->reply('220');
        $p->startTls();
        $p->send("$hello ready.probe\r\n");
        $ehlo = $p->reply('250');
    }
    if ($auth && !preg_grep('/^AUTH \S/i', $ehlo)) {
        throw new NotReady('EHLO lists no AUTH mechanisms: "' . shown(implode(' | ', $ehlo)) . '"');
    }
    $p->send("QUIT\r\n");
}

/* ManageSieve: capability lines, then OK. */
function sieve_capabilities(Probe $p): array
{
    $caps = [];
    while (!preg_match('/^OK\b/i', $l = $p->line())) {
        if (!preg_match('/^"([^"]*)"(?: "([^"]*)")?$/', $l, $m)) {
            throw new NotReady('unexpected answer "' . shown($l) . '"');
        }
        $caps[strtoupper($m[1])] = $m[2] ?? '';
    }
    return $caps;
}

function probe_sieve(Probe $p): void
{
    if (!isset(sieve_capabilities($p)['STARTTLS'])) {
        throw new NotReady('the greeting offers no STARTTLS');
    }
    $p->send("STARTTLS\r\n");
    $p->expect('/^OK\b/i');
    $p->startTls();
    if (trim(sieve_capabilities($p)['SASL'] ?? '') === '') {
        throw new NotReady('the capabilities after STARTTLS list no SASL mechanisms');
    }
    $p->send("LOGOUT\r\n");
}

function probe_http(Probe $p, string $host): void
{
    $body = 'token=ready-probe';
    $p->send("POST / HTTP/1.0\r\nHost: $host\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        . 'Content-Length: ' . strlen($body) . "\r\n\r\n$body");
    $p->expect('#^HTTP/1\.[01] 200 #');
    while ($p->line() !== '') {
    }
    $json = '';
    try {
        while (true) {
            $json .= $p->line();
        }
    } catch (NotReady) {
        /* end of the body */
    }
    if (!is_array(json_decode($json, true))) {
        throw new NotReady('the answer is not a JSON object: "' . shown($json) . '"');
    }
}

function probe(string $kind, string $host, int $port, float $seconds): void
{
    $tls = in_array($kind, ['imaps', 'pop3s', 'smtps'], true);
    $p = new Probe($host, $port, $tls, $seconds);
    match ($kind) {
        'imap', 'imaps' => probe_imap($p, false),
        'imap+starttls' => probe_imap($p, true),
        'pop3+stls' => probe_pop3($p, true),
        'pop3s' => probe_pop3($p, false),
        'smtp+starttls' => probe_smtp($p, 'EHLO', true, true),
        'smtps' => probe_smtp($p, 'EHLO', false, true),
        'sieve+starttls' => probe_sieve($p),
        'smtp' => probe_smtp($p, 'EHLO', false, false),
        'lmtp' => probe_smtp($p, 'LHLO', false, false),
        'http' => probe_http($p, $host),
        'tcp' => null,
    };
}

$timeout = 30.0;
$endpoints = [];
foreach (array_slice($argv, 1) as $arg) {
    if (preg_match('/^--timeout=(\d+(?:\.\d+)?)$/', $arg, $m)) {
        $timeout = (float)$m[1];
    } elseif (preg_match('#^([\w.-]+)=([a-z0-9+]+)://(\[[0-9a-f:]+\]|[\w.-]+):(\d+)$#i', $arg, $m)) {
        if (!in_array($m[2], ['imap', 'imap+starttls', 'imaps', 'pop3+stls', 'pop3s', 'smtp+starttls', 'smtps',
            'sieve+starttls', 'smtp', 'lmtp', 'http', 'tcp'], true)) {
            usage("unknown kind \"$m[2]\" in $arg");
        }
        $endpoints[$arg] = ['name' => $m[1], 'kind' => $m[2], 'host' => trim($m[3], '[]'), 'port' => (int)$m[4],
            'why' => 'not tried'];
    } else {
        usage("bad argument \"$arg\"");
    }
}
if (!$endpoints) {
    usage('no endpoints');
}

$start = microtime(true);
$pending = $endpoints;
while (true) {
    foreach ($pending as $key => $e) {
        try {
            probe($e['kind'], $e['host'], $e['port'],
                min(ATTEMPT_SECONDS, max(0.5, $timeout - (microtime(true) - $start))));
            unset($pending[$key]);
        } catch (NotReady $why) {
            /* Keep what the server last said: a later refused or silent attempt hides it. */
            if (str_contains($why->getMessage(), '"')) {
                $pending[$key]['said'] = $why->getMessage();
            }
            $pending[$key]['why'] = $why->getMessage();
        }
    }
    if (!$pending || microtime(true) - $start >= $timeout) {
        break;
    }
    usleep(200000);
}
$took = microtime(true) - $start;
if (!$pending) {
    printf("ready: %d endpoints in %.1f s\n", count($endpoints), $took);
    exit(0);
}
fprintf(STDERR, "not ready after %.0f s (%d of %d endpoints):\n", $took, count($pending), count($endpoints));
foreach ($pending as $key => $e) {
    $said = isset($e['said']) && $e['said'] !== $e['why'] ? " (earlier: {$e['said']})" : '';
    fprintf(STDERR, "  %s %s: %s%s\n", $e['name'], substr($key, strlen($e['name']) + 1), $e['why'], $said);
}
exit(1);
