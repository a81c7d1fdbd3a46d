--TEST--
Faults in the middle of a DIGEST-MD5 security-layer buffer against the real Cyrus SASL server (auth-int, auth-conf rc4 and 3des): closed or reset by a proxy inside the length prefix and inside the data, the client's buffer cut, the server child killed for real; the stream ends (false, EOF, no warning), the connection is closed for I/O with that reason: the next call that talks to the server throws ConnectionException 13 naming it (errno 104 after a reset), the others keep answering; the object safe to use and destroy, no leak
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
require __DIR__ . '/layer.inc';
set_error_handler(function (int $no, string $msg) {
    if (error_reporting() & $no) {
        echo "PHP WARNING: $msg\n";
    }
    return true;
});
$user = $env['SQAUTH_TEST_USER'];
$pass = $env['SQAUTH_TEST_PASS'];

// After "OK authenticated" the Cyrus server echoes each buffer it gets back
// as one buffer of its own: 4-byte length, then the wrapped data.
$cuts = [
    'inside the length prefix' => ['dir' => 'server', 'after' => ' OK authenticated', 'line' => true, 'skip' => 2],
    'after the length prefix' => ['dir' => 'server', 'after' => ' OK authenticated', 'line' => true, 'skip' => 4],
    'inside the data' => ['dir' => 'server', 'after' => ' OK authenticated', 'line' => true, 'skip' => 1000],
];
$layers = ['auth-int' => ['qop' => ['auth-int']], 'auth-conf rc4' => ['qop' => ['auth-conf'], 'cipher' => 'rc4'],
    'auth-conf 3des' => ['qop' => ['auth-conf'], 'cipher' => '3des']];
$flat = 'auth-conf rc4';
$list = [];
foreach ($layers as $name => $o) {
    for ($r = 0; $r < ($name === $flat ? 2 + fault_rounds() : 1); $r++) {
        foreach ($cuts as $cut) {
            $list[] = $cut + ['how' => 'fin'];
            $list[] = $cut + ['how' => 'rst'];
        }
    }
}
// the client's own buffer cut half-way: the proxy resets with it unread
$list[] = ['dir' => 'client', 'from' => ' AUTHENTICATE', 'after' => "\r\n", 'nth' => 3, 'skip' => 2 + 4 + 1000, 'how' => 'rst'];
$proxy = cut_proxy($env['SQAUTH_TEST_CYRUS_ALL_PORT'], $list);
$data = layer_data(8192);

/* Logs in with the layer, sends one buffer, reads the echo that breaks off;
 * returns what the stream and the next call said. */
function layer_cut(array $o, bool $print): void
{
    global $proxy, $user, $pass, $data;
    $c = Connection::open("imap://127.0.0.1:{$proxy['port']}", ['tls' => 'none', 'timeout' => 5]);
    $c->authenticate('DIGEST-MD5', $user, $pass, $o);
    $l = $c->securityLayer();
    $s = $c->stream();
    $w = fwrite($s, $data);
    $got = '';
    while (!feof($s) && ($r = fread($s, 65536)) !== false && $r !== '') {
        $got .= $r;
    }
    $err = stream_get_meta_data($s)['sqauth_error'];
    try {
        $c->capabilities();
        $next = 'no exception';
    } catch (SqAuth\Exception $e) {
        $next = fault_describe($e);
    }
    if ($print) {
        echo "    layer {$l['qop']} ", $l['cipher'] ?? '-', ", fwrite ", var_export($w, true), ", echoed ", strlen($got),
            ", feof ", var_export(feof($s), true), ", fread again ", var_export(fread($s, 10), true),
            ", fwrite again ", var_export(fwrite($s, 'x'), true), "\n";
        echo "    sqauth_error: ", $err === null ? 'null' : "({$err['code']}) {$err['message']}", "\n";
        echo "    next call: $next\n";
        echo "    then: ", fault_poke($c, $user, $pass), "\n";
    }
    fclose($s);
    // $c is destroyed here
}

foreach ($layers as $name => $o) {
    $round = function (bool $print) use ($o, $name, $cuts) {
        foreach (array_keys($cuts) as $label) {
            foreach (['fin', 'rst'] as $how) {
                if ($print) {
                    echo "$name, $label, $how:\n";
                }
                layer_cut($o, $print);
            }
        }
    };
    if ($name === $flat) {
        fault_flat($round);
    } else {
        $round(true);
    }
}
echo "auth-conf rc4, the client's buffer cut half-way, rst:\n";
layer_cut(['qop' => ['auth-conf'], 'cipher' => 'rc4'], true);
$res = cut_proxy_finish($proxy);
echo "proxy: every connection cut where asked: ", json_encode(array_sum(array_column($res, 'cut')) === count($res)), "\n";

// A real kill: the Cyrus child serving this connection is stopped after the
// login, gets the buffer unread, and is killed while the client waits for
// the echo (never the instance's own process: that one only accepts).
$port = $env['SQAUTH_TEST_CYRUS_AUTHCONF_PORT'];
$c = layer_open($env, 'AUTHCONF');
$c->authenticate('DIGEST-MD5', $user, $pass);
$pids = fault_server_pids($port);
$master = (int)file_get_contents($env['SQAUTH_TEST_DIR'] . '/cyrus/authconf.pid');
echo "served by one child of the Cyrus instance: ", json_encode(count($pids) === 1 && $pids[0] !== $master), "\n";
$s = $c->stream();
fault_stop_then_kill($pids[0], 0.5);
var_dump(fwrite($s, $data), fread($s, 65536), feof($s), stream_get_meta_data($s)['sqauth_error']);
try {
    $c->capabilities();
} catch (SqAuth\Exception $e) {
    echo "killed with a buffer in flight: ", fault_describe($e), "\n";
}
echo "  then: ", fault_poke($c, $user, $pass), "\n";
fclose($s);
unset($c);
$c = layer_open($env, 'AUTHCONF');
$c->authenticate('DIGEST-MD5', $user, $pass);
echo "next login to the same instance: ", layer_echo($c->stream(), $data, [8192]), "\n";
?>
--EXPECT--
auth-int, inside the length prefix, fin:
    layer auth-int -, fwrite 8192, echoed 0, feof true, fread again '', fwrite again false
    sqauth_error: (15) SASL security layer: the server closed the connection inside a buffer (2 bytes of it received)
    next call: SqAuth\ConnectionException (13): the connection is closed after an earlier failure: SASL security layer: the server closed the connection inside a buffer (2 bytes of it received), errno 0
    then: protocol ok, greeting ok, isEncrypted ok, tlsInfo ok, securityLayer ok, mechanisms ConnectionException(13), authenticate ConnectionException(13), login ConnectionException(13), startTls ConnectionException(13), stream ConnectionException(13), transcript ok, close ok, close again ok
auth-int, inside the length prefix, rst:
    layer auth-int -, fwrite 8192, echoed 0, feof true, fread again '', fwrite again false
    sqauth_error: (15) SASL security layer: the server closed the connection inside a buffer (2 bytes of it received)
    next call: SqAuth\ConnectionException (13): the connection is closed after an earlier failure: SASL security layer: the server closed the connection inside a buffer (2 bytes of it received), errno 104
    then: protocol ok, greeting ok, isEncrypted ok, tlsInfo ok, securityLayer ok, mechanisms ConnectionException(13), authenticate ConnectionException(13), login ConnectionException(13), startTls ConnectionException(13), stream ConnectionException(13), transcript ok, close ok, close again ok
auth-int, after the length prefix, fin:
    layer auth-int -, fwrite 8192, echoed 0, feof true, fread again '', fwrite again false
    sqauth_error: (15) SASL security layer: the server closed the connection inside a buffer (4 bytes of it received)
    next call: SqAuth\ConnectionException (13): the connection is closed after an earlier failure: SASL security layer: the server closed the connection inside a buffer (4 bytes of it received), errno 0
    then: protocol ok, greeting ok, isEncrypted ok, tlsInfo ok, securityLayer ok, mechanisms ConnectionException(13), authenticate ConnectionException(13), login ConnectionException(13), startTls ConnectionException(13), stream ConnectionException(13), transcript ok, close ok, close again ok
auth-int, after the length prefix, rst:
    layer auth-int -, fwrite 8192, echoed 0, feof true, fread again '', fwrite again false
    sqauth_error: (15) SASL security layer: the server closed the connection inside a buffer (4 bytes of it received)
    next call: SqAuth\ConnectionException (13): the connection is closed after an earlier failure: SASL security layer: the server closed the connection inside a buffer (4 bytes of it received), errno 104
    then: protocol ok, greeting ok, isEncrypted ok, tlsInfo ok, securityLayer ok, mechanisms ConnectionException(13), authenticate ConnectionException(13), login ConnectionException(13), startTls ConnectionException(13), stream ConnectionException(13), transcript ok, close ok, close again ok
auth-int, inside the data, fin:
    layer auth-int -, fwrite 8192, echoed 0, feof true, fread again '', fwrite again false
    sqauth_error: (15) SASL security layer: the server closed the connection inside a buffer (1000 bytes of it received)
    next call: SqAuth\ConnectionException (13): the connection is closed after an earlier failure: SASL security layer: the server closed the connection inside a buffer (1000 bytes of it received), errno 0
    then: protocol ok, greeting ok, isEncrypted ok, tlsInfo ok, securityLayer ok, mechanisms ConnectionException(13), authenticate ConnectionException(13), login ConnectionException(13), startTls ConnectionException(13), stream ConnectionException(13), transcript ok, close ok, close again ok
auth-int, inside the data, rst:
    layer auth-int -, fwrite 8192, echoed 0, feof true, fread again '', fwrite again false
    sqauth_error: (15) SASL security layer: the server closed the connection inside a buffer (1000 bytes of it received)
    next call: SqAuth\ConnectionException (13): the connection is closed after an earlier failure: SASL security layer: the server closed the connection inside a buffer (1000 bytes of it received), errno 104
    then: protocol ok, greeting ok, isEncrypted ok, tlsInfo ok, securityLayer ok, mechanisms ConnectionException(13), authenticate ConnectionException(13), login ConnectionException(13), startTls ConnectionException(13), stream ConnectionException(13), transcript ok, close ok, close again ok
auth-conf rc4, inside the length prefix, fin:
    layer auth-conf rc4, fwrite 8192, echoed 0, feof true, fread again '', fwrite again false
    sqauth_error: (15) SASL security layer: the server closed the connection inside a buffer (2 bytes of it received)
    next call: SqAuth\ConnectionException (13): the connection is closed after an earlier failure: SASL security layer: the server closed the connection inside a buffer (2 bytes of it received), errno 0
    then: protocol ok, greeting ok, isEncrypted ok, tlsInfo ok, securityLayer ok, mechanisms ConnectionException(13), authenticate ConnectionException(13), login ConnectionException(13), startTls ConnectionException(13), stream ConnectionException(13), transcript ok, close ok, close again ok
auth-conf rc4, inside the length prefix, rst:
    layer auth-conf rc4, fwrite 8192, echoed 0, feof true, fread again '', fwrite again false
    sqauth_error: (15) SASL security layer: the server closed the connection inside a buffer (2 bytes of it received)
    next call: SqAuth\ConnectionException (13): the connection is closed after an earlier failure: SASL security layer: the server closed the connection inside a buffer (2 bytes of it received), errno 104
    then: protocol ok, greeting ok, isEncrypted ok, tlsInfo ok, securityLayer ok, mechanisms ConnectionException(13), authenticate ConnectionException(13), login ConnectionException(13), startTls ConnectionException(13), stream ConnectionException(13), transcript ok, close ok, close again ok
auth-conf rc4, after the length prefix, fin:
    layer auth-conf rc4, fwrite 8192, echoed 0, feof true, fread again '', fwrite again false
    sqauth_error: (15) SASL security layer: the server closed the connection inside a buffer (4 bytes of it received)
    next call: SqAuth\ConnectionException (13): the connection is closed after an earlier failure: SASL security layer: the server closed the connection inside a buffer (4 bytes of it received), errno 0
    then: protocol ok, greeting ok, isEncrypted ok, tlsInfo ok, securityLayer ok, mechanisms ConnectionException(13), authenticate ConnectionException(13), login ConnectionException(13), startTls ConnectionException(13), stream ConnectionException(13), transcript ok, close ok, close again ok
auth-conf rc4, after the length prefix, rst:
    layer auth-conf rc4, fwrite 8192, echoed 0, feof true, fread again '', fwrite again false
    sqauth_error: (15) SASL security layer: the server closed the connection inside a buffer (4 bytes of it received)
    next call: SqAuth\ConnectionException (13): the connection is closed after an earlier failure: SASL security layer: the server closed the connection inside a buffer (4 bytes of it received), errno 104
    then: protocol ok, greeting ok, isEncrypted ok, tlsInfo ok, securityLayer ok, mechanisms ConnectionException(13), authenticate ConnectionException(13), login ConnectionException(13), startTls ConnectionException(13), stream ConnectionException(13), transcript ok, close ok, close again ok
auth-conf rc4, inside the data, fin:
    layer auth-conf rc4, fwrite 8192, echoed 0, feof true, fread again '', fwrite again false
    sqauth_error: (15) SASL security layer: the server closed the connection inside a buffer (1000 bytes of it received)
    next call: SqAuth\ConnectionException (13): the connection is closed after an earlier failure: SASL security layer: the server closed the connection inside a buffer (1000 bytes of it received), errno 0
    then: protocol ok, greeting ok, isEncrypted ok, tlsInfo ok, securityLayer ok, mechanisms ConnectionException(13), authenticate ConnectionException(13), login ConnectionException(13), startTls ConnectionException(13), stream ConnectionException(13), transcript ok, close ok, close again ok
auth-conf rc4, inside the data, rst:
    layer auth-conf rc4, fwrite 8192, echoed 0, feof true, fread again '', fwrite again false
    sqauth_error: (15) SASL security layer: the server closed the connection inside a buffer (1000 bytes of it received)
    next call: SqAuth\ConnectionException (13): the connection is closed after an earlier failure: SASL security layer: the server closed the connection inside a buffer (1000 bytes of it received), errno 104
    then: protocol ok, greeting ok, isEncrypted ok, tlsInfo ok, securityLayer ok, mechanisms ConnectionException(13), authenticate ConnectionException(13), login ConnectionException(13), startTls ConnectionException(13), stream ConnectionException(13), transcript ok, close ok, close again ok
after more rounds: memory flat, descriptors flat
auth-conf 3des, inside the length prefix, fin:
    layer auth-conf 3des, fwrite 8192, echoed 0, feof true, fread again '', fwrite again false
    sqauth_error: (15) SASL security layer: the server closed the connection inside a buffer (2 bytes of it received)
    next call: SqAuth\ConnectionException (13): the connection is closed after an earlier failure: SASL security layer: the server closed the connection inside a buffer (2 bytes of it received), errno 0
    then: protocol ok, greeting ok, isEncrypted ok, tlsInfo ok, securityLayer ok, mechanisms ConnectionException(13), authenticate ConnectionException(13), login ConnectionException(13), startTls ConnectionException(13), stream ConnectionException(13), transcript ok, close ok, close again ok
auth-conf 3des, inside the length prefix, rst:
    layer auth-conf 3des, fwrite 8192, echoed 0, feof true, fread again '', fwrite again false
    sqauth_error: (15) SASL security layer: the server closed the connection inside a buffer (2 bytes of it received)
    next call: SqAuth\ConnectionException (13): the connection is closed after an earlier failure: SASL security layer: the server closed the connection inside a buffer (2 bytes of it received), errno 104
    then: protocol ok, greeting ok, isEncrypted ok, tlsInfo ok, securityLayer ok, mechanisms ConnectionException(13), authenticate ConnectionException(13), login ConnectionException(13), startTls ConnectionException(13), stream ConnectionException(13), transcript ok, close ok, close again ok
auth-conf 3des, after the length prefix, fin:
    layer auth-conf 3des, fwrite 8192, echoed 0, feof true, fread again '', fwrite again false
    sqauth_error: (15) SASL security layer: the server closed the connection inside a buffer (4 bytes of it received)
    next call: SqAuth\ConnectionException (13): the connection is closed after an earlier failure: SASL security layer: the server closed the connection inside a buffer (4 bytes of it received), errno 0
    then: protocol ok, greeting ok, isEncrypted ok, tlsInfo ok, securityLayer ok, mechanisms ConnectionException(13), authenticate ConnectionException(13), login ConnectionException(13), startTls ConnectionException(13), stream ConnectionException(13), transcript ok, close ok, close again ok
auth-conf 3des, after the length prefix, rst:
    layer auth-conf 3des, fwrite 8192, echoed 0, feof true, fread again '', fwrite again false
    sqauth_error: (15) SASL security layer: the server closed the connection inside a buffer (4 bytes of it received)
    next call: SqAuth\ConnectionException (13): the connection is closed after an earlier failure: SASL security layer: the server closed the connection inside a buffer (4 bytes of it received), errno 104
    then: protocol ok, greeting ok, isEncrypted ok, tlsInfo ok, securityLayer ok, mechanisms ConnectionException(13), authenticate ConnectionException(13), login ConnectionException(13), startTls ConnectionException(13), stream ConnectionException(13), transcript ok, close ok, close again ok
auth-conf 3des, inside the data, fin:
    layer auth-conf 3des, fwrite 8192, echoed 0, feof true, fread again '', fwrite again false
    sqauth_error: (15) SASL security layer: the server closed the connection inside a buffer (1000 bytes of it received)
    next call: SqAuth\ConnectionException (13): the connection is closed after an earlier failure: SASL security layer: the server closed the connection inside a buffer (1000 bytes of it received), errno 0
    then: protocol ok, greeting ok, isEncrypted ok, tlsInfo ok, securityLayer ok, mechanisms ConnectionException(13), authenticate ConnectionException(13), login ConnectionException(13), startTls ConnectionException(13), stream ConnectionException(13), transcript ok, close ok, close again ok
auth-conf 3des, inside the data, rst:
    layer auth-conf 3des, fwrite 8192, echoed 0, feof true, fread again '', fwrite again false
    sqauth_error: (15) SASL security layer: the server closed the connection inside a buffer (1000 bytes of it received)
    next call: SqAuth\ConnectionException (13): the connection is closed after an earlier failure: SASL security layer: the server closed the connection inside a buffer (1000 bytes of it received), errno 104
    then: protocol ok, greeting ok, isEncrypted ok, tlsInfo ok, securityLayer ok, mechanisms ConnectionException(13), authenticate ConnectionException(13), login ConnectionException(13), startTls ConnectionException(13), stream ConnectionException(13), transcript ok, close ok, close again ok
auth-conf rc4, the client's buffer cut half-way, rst:
    layer auth-conf rc4, fwrite 8192, echoed 0, feof true, fread again '', fwrite again false
    sqauth_error: (13) the server closed the connection
    next call: SqAuth\ConnectionException (13): the connection is closed after an earlier failure: the server closed the connection, errno 104
    then: protocol ok, greeting ok, isEncrypted ok, tlsInfo ok, securityLayer ok, mechanisms ConnectionException(13), authenticate ConnectionException(13), login ConnectionException(13), startTls ConnectionException(13), stream ConnectionException(13), transcript ok, close ok, close again ok
proxy: every connection cut where asked: true
served by one child of the Cyrus instance: true
int(8192)
bool(false)
bool(true)
array(2) {
  ["code"]=>
  int(13)
  ["message"]=>
  string(32) "the server closed the connection"
}
killed with a buffer in flight: SqAuth\ConnectionException (13): the connection is closed after an earlier failure: the server closed the connection, errno 104
  then: protocol ok, greeting ok, isEncrypted ok, tlsInfo ok, securityLayer ok, mechanisms ConnectionException(13), authenticate ConnectionException(13), login ConnectionException(13), startTls ConnectionException(13), stream ConnectionException(13), transcript ok, close ok, close again ok
next login to the same instance: ok sent 8192, echoed 8192
