--TEST--
Faults in the TLS handshake against the real Dovecot: closed or reset by a proxy before and inside the server's flight, before the client's Finished, right after the STARTTLS reply, in startTls(), fromStream() and a resumed handshake; TlsException 14 "the server closed the connection" during the handshake and ConnectionException 13 after it, whether it ends in order or with a reset; the object safe to use and destroy, the failed server's session dropped, no leak
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; require __DIR__ . '/skipif_valgrind.inc'; ?>
--FILE--
<?php
use SqAuth\Connection;
$env = require __DIR__ . '/env.inc';
require __DIR__ . '/cut_proxy.inc';
require __DIR__ . '/fault.inc';
set_error_handler(function (int $no, string $msg) {
    if (error_reporting() & $no) {
        echo "PHP WARNING: $msg\n";
    }
    return true;
});
$user = $env['SQAUTH_TEST_USER'];
$pass = $env['SQAUTH_TEST_PASS'];
$tls = ['cafile' => $env['SQAUTH_TEST_CA'], 'timeout' => 5, 'session_resumption' => false];

/*
 * Implicit TLS (TLS 1.3 with Dovecot): the server's first flight is
 * ServerHello, then encrypted extensions, certificate, verify and Finished
 * (about 1.5 KB); the client answers with ChangeCipherSpec (compatibility
 * mode) and its Finished, after which it counts the handshake as done and
 * waits for the greeting that never comes.
 */
$implicit = [
    'before the first server byte' => ['dir' => 'server', 'after' => ''],
    'inside the first record header' => ['dir' => 'server', 'after' => '', 'skip' => 3],
    'inside ServerHello' => ['dir' => 'server', 'after' => '', 'skip' => 60],
    'inside the certificate' => ['dir' => 'server', 'after' => '', 'skip' => 1000],
    'before the client\'s Finished' => ['dir' => 'client', 'after' => "\x14\x03\x03\x00\x01\x01"],
];
// STARTTLS. Closed right after the "OK Begin TLS" line, the client may see
// the end of the stream or, having sent its ClientHello into the closed
// socket, the reset that answers it: which one is up to the kernel's timing.
// Both are the same failure, one message; only OpenSSL's error list differs
// (its "unexpected eof while reading" for the end), so that case shows the
// class, code and message.
$starttls = [
    'right after the STARTTLS reply' => ['dir' => 'server', 'after' => 'Begin TLS', 'line' => true],
    'ClientHello sent, no reply' => ['dir' => 'client', 'from' => 'STARTTLS', 'after' => "\x16\x03"],
    'inside ServerHello after STARTTLS' => ['dir' => 'server', 'after' => 'Begin TLS', 'line' => true, 'skip' => 60],
];
function starttls_describe(string $label, Throwable $e): string
{
    if ($label !== 'right after the STARTTLS reply') {
        return fault_describe($e);
    }
    return sqauth_describe($e);
}
$never = ['dir' => 'server', 'after' => "\xff\xfe never sent"];

$all = fn(array $cuts) => array_merge(...array_map(fn($cut) => [$cut + ['how' => 'fin'], $cut + ['how' => 'rst']], array_values($cuts)));
$imaps = cut_proxy($env['SQAUTH_TEST_IMAPS_PORT'], array_merge(...array_fill(0, 2 + fault_rounds(), $all($implicit))));
// open() with STARTTLS, then startTls() on a plaintext connection, then fromStream()
$imap = cut_proxy($env['SQAUTH_TEST_IMAP_PORT'], array_merge($all($starttls), $all($starttls), $all($starttls)));
// Dovecot's "resume" instance keeps its ticket keys: a good handshake, a
// resumed one cut inside ServerHello, then a full one (the session was dropped)
$resume = cut_proxy($env['SQAUTH_TEST_IMAPS_RESUME_PORT'],
    [$never, ['dir' => 'server', 'after' => '', 'skip' => 60, 'how' => 'rst'], $never]);

$round = function (bool $print) use ($imaps, $implicit, $tls) {
    foreach (array_keys($implicit) as $label) {
        if ($print) {
            echo "imaps, $label:\n";
        }
        foreach (['fin', 'rst'] as $how) {
            try {
                $c = Connection::open("imaps://localhost:{$imaps['port']}", $tls);
                $r = 'open: ' . $c->greeting();
            } catch (SqAuth\Exception $e) {
                $r = fault_describe($e);
            }
            unset($c, $e);
            if ($print) {
                echo "  $how: $r\n";
            }
        }
    }
};
fault_flat($round);

foreach (array_keys($starttls) as $label) {
    echo "imap STARTTLS in open(), $label:\n";
    foreach (['fin', 'rst'] as $how) {
        try {
            Connection::open("imap://localhost:{$imap['port']}", $tls);
            echo "  $how: open\n";
        } catch (SqAuth\Exception $e) {
            echo "  $how: ", starttls_describe($label, $e), "\n";
        }
    }
}
foreach (array_keys($starttls) as $label) {
    echo "imap startTls() on a plaintext connection, $label:\n";
    foreach (['fin', 'rst'] as $how) {
        $c = Connection::open("imap://localhost:{$imap['port']}", ['tls' => 'none'] + $tls);
        try {
            $c->startTls();
            echo "  $how: encrypted\n";
        } catch (SqAuth\Exception $e) {
            echo "  $how: ", starttls_describe($label, $e), "\n";
        }
        echo "    then: ", fault_poke($c, $user, $pass), "\n";
        unset($c);
    }
}
foreach (array_keys($starttls) as $label) {
    echo "imap fromStream() with STARTTLS, $label:\n";
    foreach (['fin', 'rst'] as $how) {
        $s = fsockopen('127.0.0.1', $imap['port'], $errno, $errstr, 5);
        try {
            Connection::fromStream($s, 'imap', ['peer_name' => 'localhost'] + $tls);
            echo "  $how: adopted\n";
        } catch (SqAuth\Exception $e) {
            echo "  $how: ", starttls_describe($label, $e), "\n";
        }
        // the caller's stream stays the caller's to close
        var_dump(is_resource($s) && fclose($s));
    }
}

$o = ['cafile' => $env['SQAUTH_TEST_CA'], 'timeout' => 5];
$c = Connection::open("imaps://localhost:{$resume['port']}", $o);
echo "resume: first handshake, reused ", json_encode($c->tlsInfo()['session_reused']), "\n";
$c->close();
echo "resume: sessions cached: ", SqAuth\features()['tls_sessions'], "\n";
try {
    Connection::open("imaps://localhost:{$resume['port']}", $o);
} catch (SqAuth\Exception $e) {
    echo "resume: reset inside the resumed ServerHello: ", fault_describe($e), "\n";
}
echo "resume: sessions cached: ", SqAuth\features()['tls_sessions'], "\n";
$c = Connection::open("imaps://localhost:{$resume['port']}", $o);
echo "resume: next handshake, reused ", json_encode($c->tlsInfo()['session_reused']), "\n";
$c->authenticate('SCRAM-SHA-256', $user, $pass);
echo "resume: logged in\n";
unset($c);

foreach (['imaps' => $imaps, 'imap' => $imap, 'resume' => $resume] as $name => $proxy) {
    $res = cut_proxy_finish($proxy);
    echo "$name proxy: cuts made ", $name === 'resume' ? array_sum(array_column($res, 'cut')) . ' of ' . count($res)
        : (array_sum(array_column($res, 'cut')) === count($res) ? 'in every connection' : 'NOT in every connection'), "\n";
}
?>
--EXPECT--
imaps, before the first server byte:
  fin: SqAuth\TlsException (14): TLS handshake failed: the server closed the connection, openssl [unexpected eof while reading], verify null, alert null
  rst: SqAuth\TlsException (14): TLS handshake failed: the server closed the connection, openssl [], verify null, alert null
imaps, inside the first record header:
  fin: SqAuth\TlsException (14): TLS handshake failed: the server closed the connection, openssl [unexpected eof while reading], verify null, alert null
  rst: SqAuth\TlsException (14): TLS handshake failed: the server closed the connection, openssl [], verify null, alert null
imaps, inside ServerHello:
  fin: SqAuth\TlsException (14): TLS handshake failed: the server closed the connection, openssl [unexpected eof while reading], verify null, alert null
  rst: SqAuth\TlsException (14): TLS handshake failed: the server closed the connection, openssl [], verify null, alert null
imaps, inside the certificate:
  fin: SqAuth\TlsException (14): TLS handshake failed: the server closed the connection, openssl [unexpected eof while reading], verify null, alert null
  rst: SqAuth\TlsException (14): TLS handshake failed: the server closed the connection, openssl [], verify null, alert null
imaps, before the client's Finished:
  fin: SqAuth\ConnectionException (13): the server closed the connection, errno 0
  rst: SqAuth\ConnectionException (13): the server closed the connection, errno 104
after more rounds: memory flat, descriptors flat
imap STARTTLS in open(), right after the STARTTLS reply:
  fin: SqAuth\TlsException (14): TLS handshake failed: the server closed the connection
  rst: SqAuth\TlsException (14): TLS handshake failed: the server closed the connection
imap STARTTLS in open(), ClientHello sent, no reply:
  fin: SqAuth\TlsException (14): TLS handshake failed: the server closed the connection, openssl [unexpected eof while reading], verify null, alert null
  rst: SqAuth\TlsException (14): TLS handshake failed: the server closed the connection, openssl [], verify null, alert null
imap STARTTLS in open(), inside ServerHello after STARTTLS:
  fin: SqAuth\TlsException (14): TLS handshake failed: the server closed the connection, openssl [unexpected eof while reading], verify null, alert null
  rst: SqAuth\TlsException (14): TLS handshake failed: the server closed the connection, openssl [], verify null, alert null
imap startTls() on a plaintext connection, right after the STARTTLS reply:
  fin: SqAuth\TlsException (14): TLS handshake failed: the server closed the connection
    then: protocol ok, greeting ok, isEncrypted ok, tlsInfo ok, securityLayer ok, mechanisms ConnectionException(13), authenticate ConnectionException(13), login ConnectionException(13), startTls ConnectionException(13), stream ConnectionException(13), transcript ok, close ok, close again ok
  rst: SqAuth\TlsException (14): TLS handshake failed: the server closed the connection
    then: protocol ok, greeting ok, isEncrypted ok, tlsInfo ok, securityLayer ok, mechanisms ConnectionException(13), authenticate ConnectionException(13), login ConnectionException(13), startTls ConnectionException(13), stream ConnectionException(13), transcript ok, close ok, close again ok
imap startTls() on a plaintext connection, ClientHello sent, no reply:
  fin: SqAuth\TlsException (14): TLS handshake failed: the server closed the connection, openssl [unexpected eof while reading], verify null, alert null
    then: protocol ok, greeting ok, isEncrypted ok, tlsInfo ok, securityLayer ok, mechanisms ConnectionException(13), authenticate ConnectionException(13), login ConnectionException(13), startTls ConnectionException(13), stream ConnectionException(13), transcript ok, close ok, close again ok
  rst: SqAuth\TlsException (14): TLS handshake failed: the server closed the connection, openssl [], verify null, alert null
    then: protocol ok, greeting ok, isEncrypted ok, tlsInfo ok, securityLayer ok, mechanisms ConnectionException(13), authenticate ConnectionException(13), login ConnectionException(13), startTls ConnectionException(13), stream ConnectionException(13), transcript ok, close ok, close again ok
imap startTls() on a plaintext connection, inside ServerHello after STARTTLS:
  fin: SqAuth\TlsException (14): TLS handshake failed: the server closed the connection, openssl [unexpected eof while reading], verify null, alert null
    then: protocol ok, greeting ok, isEncrypted ok, tlsInfo ok, securityLayer ok, mechanisms ConnectionException(13), authenticate ConnectionException(13), login ConnectionException(13), startTls ConnectionException(13), stream ConnectionException(13), transcript ok, close ok, close again ok
  rst: SqAuth\TlsException (14): TLS handshake failed: the server closed the connection, openssl [], verify null, alert null
    then: protocol ok, greeting ok, isEncrypted ok, tlsInfo ok, securityLayer ok, mechanisms ConnectionException(13), authenticate ConnectionException(13), login ConnectionException(13), startTls ConnectionException(13), stream ConnectionException(13), transcript ok, close ok, close again ok
imap fromStream() with STARTTLS, right after the STARTTLS reply:
  fin: SqAuth\TlsException (14): TLS handshake failed: the server closed the connection
bool(true)
  rst: SqAuth\TlsException (14): TLS handshake failed: the server closed the connection
bool(true)
imap fromStream() with STARTTLS, ClientHello sent, no reply:
  fin: SqAuth\TlsException (14): TLS handshake failed: the server closed the connection, openssl [unexpected eof while reading], verify null, alert null
bool(true)
  rst: SqAuth\TlsException (14): TLS handshake failed: the server closed the connection, openssl [], verify null, alert null
bool(true)
imap fromStream() with STARTTLS, inside ServerHello after STARTTLS:
  fin: SqAuth\TlsException (14): TLS handshake failed: the server closed the connection, openssl [unexpected eof while reading], verify null, alert null
bool(true)
  rst: SqAuth\TlsException (14): TLS handshake failed: the server closed the connection, openssl [], verify null, alert null
bool(true)
resume: first handshake, reused false
resume: sessions cached: 2
resume: reset inside the resumed ServerHello: SqAuth\TlsException (14): TLS handshake failed: the server closed the connection, openssl [], verify null, alert null
resume: sessions cached: 0
resume: next handshake, reused false
resume: logged in
imaps proxy: cuts made in every connection
imap proxy: cuts made in every connection
resume proxy: cuts made 1 of 3
