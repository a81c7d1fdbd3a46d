--TEST--
TLS: session resumption: sessions are reused only for the same server name, port and TLS option set, and never after a failed check
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
use SqAuth\Connection;
$env = require __DIR__ . '/env.inc';
$ca = $env['SQAUTH_TEST_CA'];
$user = $env['SQAUTH_TEST_USER'];
$pass = $env['SQAUTH_TEST_PASS'];
// the "resume" instance: one long-lived imap-login process, so its tickets can be resumed
$imaps = "imaps://localhost:{$env['SQAUTH_TEST_IMAPS_RESUME_PORT']}";
$imap = "imap://localhost:{$env['SQAUTH_TEST_IMAP_RESUME_PORT']}";
// the main instance: a new login process (new ticket keys) per connection
$main = "imaps://localhost:{$env['SQAUTH_TEST_IMAPS_PORT']}";
preg_match('/-----BEGIN CERTIFICATE-----(.+?)-----END/s', file_get_contents($env['SQAUTH_TEST_CERTS'] . '/server.pem'), $m);
$fp = hash('sha256', base64_decode($m[1]));

function try_open(string $what, string $uri, array $o, bool $login = false): void
{
    global $user, $pass;
    try {
        $c = Connection::open($uri, $o + ['timeout' => 10]);
        if ($login) {
            $c->authenticate('PLAIN', $user, $pass);
        }
        $t = $c->tlsInfo();
        printf("%s: %s reused=%s verified=%s cert=%s%s\n", $what, $t['protocol'], var_export($t['session_reused'], true),
            var_export($t['verify']['verified'], true), $t['peer_certificate']['sha256'] === $GLOBALS['fp'] ? 'server.pem' : '?',
            $login ? ' login=ok' : '');
        $c->close();
    } catch (SqAuth\Exception $e) {
        echo "$what: ", sqauth_describe($e), "\n";
    }
}
$cached = fn() => SqAuth\features()['tls_sessions'];
$opts = ['cafile' => $ca];

echo "-- TLS 1.3, implicit TLS\n";
try_open('first', $imaps, $opts, true);
try_open('second', $imaps, $opts, true);
try_open('third', $imaps, $opts);
echo 'sessions cached: ', $cached() > 0 ? 'yes' : 'no', "\n";

echo "-- STARTTLS: its own port, its own sessions\n";
try_open('first', $imap, $opts, true);
try_open('second', $imap, $opts, true);

echo "-- an adopted socket (fromStream) to the same port shares those sessions\n";
$sock = fsockopen('127.0.0.1', $env['SQAUTH_TEST_IMAP_RESUME_PORT']);
$c = Connection::fromStream($sock, 'imap', $opts + ['peer_name' => 'localhost']);
echo 'fromStream: reused=', var_export($c->tlsInfo()['session_reused'], true), "\n";
$c->close();

echo "-- another name for the same server: not offered\n";
try_open('127.0.0.1', "imaps://127.0.0.1:{$env['SQAUTH_TEST_IMAPS_RESUME_PORT']}", $opts);
try_open('127.0.0.1 again', "imaps://127.0.0.1:{$env['SQAUTH_TEST_IMAPS_RESUME_PORT']}", $opts);

echo "-- switched off\n";
$before = $cached();
try_open('off', $imaps, $opts + ['session_resumption' => false]);
try_open('off again', $imaps, $opts + ['session_resumption' => false]);
echo 'cache untouched: ', var_export($cached() === $before, true), "\n";

echo "-- a session made without verification is never offered to a verifying connection\n";
try_open('verify_peer off', $imaps, ['verify_peer' => false]);
try_open('verify_peer off, again', $imaps, ['verify_peer' => false]);
try_open('other CA', $imaps, ['cafile' => $env['SQAUTH_TEST_OTHER_CA']]);

echo "-- pinning is checked on a resumed connection too; a failed pin drops the sessions\n";
try_open('pinned, right', $imaps, $opts + ['peer_fingerprint' => $fp]);
try_open('pinned, wrong', $imaps, $opts + ['peer_fingerprint' => str_repeat('ab', 32)]);
try_open('after the failed pin', $imaps, $opts);

echo "-- TLS 1.2 sessions are kept for more than one resumption\n";
$tls12 = $opts + ['max_protocol' => 'TLSv1.2'];
try_open('TLS 1.2 first', $imaps, $tls12, true);
try_open('TLS 1.2 second', $imaps, $tls12, true);
try_open('TLS 1.2 third', $imaps, $tls12);

echo "-- a server that cannot resume: full handshakes, logins work\n";
try_open('main 1', $main, $opts, true);
try_open('main 2', $main, $opts, true);

echo "-- options\n";
foreach ([['session_resumption' => 1], ['max_protocol' => 'TLSv1.4'], ['max_protocol' => "TLSv1.2\0"],
          ['min_protocol' => 'TLSv1.3', 'max_protocol' => 'TLSv1.2']] as $o) {
    try {
        Connection::open($imaps, $o);
    } catch (Throwable $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
}
?>
--EXPECTF--
-- TLS 1.3, implicit TLS
first: TLSv1.3 reused=false verified=true cert=server.pem login=ok
second: TLSv1.3 reused=true verified=true cert=server.pem login=ok
third: TLSv1.3 reused=true verified=true cert=server.pem
sessions cached: yes
-- STARTTLS: its own port, its own sessions
first: TLSv1.3 reused=false verified=true cert=server.pem login=ok
second: TLSv1.3 reused=true verified=true cert=server.pem login=ok
-- an adopted socket (fromStream) to the same port shares those sessions
fromStream: reused=true
-- another name for the same server: not offered
127.0.0.1: TLSv1.3 reused=false verified=true cert=server.pem
127.0.0.1 again: TLSv1.3 reused=true verified=true cert=server.pem
-- switched off
off: TLSv1.3 reused=false verified=true cert=server.pem
off again: TLSv1.3 reused=false verified=true cert=server.pem
cache untouched: true
-- a session made without verification is never offered to a verifying connection
verify_peer off: TLSv1.3 reused=false verified=false cert=server.pem
verify_peer off, again: TLSv1.3 reused=true verified=false cert=server.pem
other CA: SqAuth\TlsException (14): certificate verify failed: unable to get local issuer certificate (depth 0); pass the CA that signed the server's certificate as 'cafile' (or 'capath')
-- pinning is checked on a resumed connection too; a failed pin drops the sessions
pinned, right: TLSv1.3 reused=true verified=true cert=server.pem
pinned, wrong: SqAuth\TlsException (14): the server's certificate does not match 'peer_fingerprint' (its sha256 is %s)
after the failed pin: TLSv1.3 reused=false verified=true cert=server.pem
-- TLS 1.2 sessions are kept for more than one resumption
TLS 1.2 first: TLSv1.2 reused=false verified=true cert=server.pem login=ok
TLS 1.2 second: TLSv1.2 reused=true verified=true cert=server.pem login=ok
TLS 1.2 third: TLSv1.2 reused=true verified=true cert=server.pem
-- a server that cannot resume: full handshakes, logins work
main 1: TLSv1.3 reused=false verified=true cert=server.pem login=ok
main 2: TLSv1.3 reused=false verified=true cert=server.pem login=ok
-- options
TypeError: SqAuth\Connection::open(): Argument #2 ($options) option "session_resumption" must be of type bool, int given
ValueError: SqAuth\Connection::open(): Argument #2 ($options) option "max_protocol" must be "TLSv1", "TLSv1.1", "TLSv1.2" or "TLSv1.3"
ValueError: SqAuth\Connection::open(): Argument #2 ($options) option "max_protocol" must be "TLSv1", "TLSv1.1", "TLSv1.2" or "TLSv1.3"
ValueError: SqAuth\Connection::open(): Argument #2 ($options) option "max_protocol" is below "min_protocol"
