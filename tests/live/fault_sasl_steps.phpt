--TEST--
Faults in each SASL step against the real Dovecot (IMAP SCRAM-SHA-256 and DIGEST-MD5, POP3 and SMTP SCRAM-SHA-256): closed or reset by a proxy after each command, inside each challenge, inside the final reply, and the login process killed for real while the client waits; ConnectionException 13 (errno 104 on a reset), the object safe to use and destroy, no leak
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

/*
 * Plaintext on 127.0.0.1 (Dovecot counts a loopback client as secured), so
 * the proxy can see the steps. SCRAM with an initial response and DIGEST-MD5
 * have the same shape: command, challenge, response, challenge, (empty)
 * response, final reply. The cut points, in the order of the exchange:
 */
$steps = [
    'command sent, no reply' => fn($p) => ['dir' => 'client', 'from' => $p['cmd'], 'after' => "\r\n", 'skip' => 2],
    'inside challenge 1' => fn($p) => ['dir' => 'server', 'after' => $p['chal'], 'skip' => 6],
    'response 1 sent, no reply' => fn($p) => ['dir' => 'client', 'from' => $p['cmd'], 'after' => "\r\n", 'nth' => 2, 'skip' => 2],
    'inside challenge 2' => fn($p) => ['dir' => 'server', 'after' => $p['chal'], 'nth' => 2, 'skip' => 6],
    'last response sent, no reply' => fn($p) => ['dir' => 'client', 'from' => $p['cmd'], 'after' => "\r\n", 'nth' => 3, 'skip' => 2],
    'inside the final reply' => fn($p) => ['dir' => 'server', 'after' => $p['chal'], 'nth' => 2, 'line' => true, 'skip' => 3],
];
$protocols = [
    'imap' => ['port' => $env['SQAUTH_TEST_IMAP_PORT'], 'cmd' => 'AUTHENTICATE', 'chal' => "\n+ ", 'mechs' => ['SCRAM-SHA-256', 'DIGEST-MD5']],
    'pop3' => ['port' => $env['SQAUTH_TEST_POP3_PORT'], 'cmd' => 'AUTH ', 'chal' => "\n+ ", 'mechs' => ['SCRAM-SHA-256']],
    'smtp' => ['port' => $env['SQAUTH_TEST_SUBMISSION_PORT'], 'cmd' => 'AUTH ', 'chal' => "\n334 ", 'mechs' => ['SCRAM-SHA-256']],
];
// the rounds that check memory and descriptors repeat IMAP DIGEST-MD5
$flat = ['imap', 'DIGEST-MD5'];

// one proxy per protocol serves every connection of this test in order
$proxies = [];
foreach ($protocols as $proto => $p) {
    $cuts = [];
    foreach ($p['mechs'] as $mech) {
        $rounds = [$proto, $mech] === $flat ? 2 + fault_rounds() : 1;
        for ($r = 0; $r < $rounds; $r++) {
            foreach ($steps as $step) {
                foreach (['fin', 'rst'] as $how) {
                    $cuts[] = $step($p) + ['how' => $how];
                }
            }
        }
    }
    $proxies[$proto] = cut_proxy($p['port'], $cuts);
}

$pokes = [];
function login_cut(string $proto, string $mech, string $how, bool $print, string $label = ''): void
{
    global $proxies, $user, $pass, $pokes;
    $c = Connection::open("$proto://127.0.0.1:{$proxies[$proto]['port']}", ['tls' => 'none', 'timeout' => 5]);
    try {
        $c->authenticate($mech, $user, $pass);
        $r = 'logged in';
    } catch (SqAuth\Exception $e) {
        $r = fault_describe($e);
    }
    if ($print) {
        echo "  $how: $r\n";
        $poke = fault_poke($c, $user, $pass);
        $pokes[$poke] = ($pokes[$poke] ?? 0) + 1;
    }
    // destroyed here, after the failure
}

foreach ($protocols as $proto => $p) {
    foreach ($p['mechs'] as $mech) {
        $round = function (bool $print) use ($proto, $mech, $steps) {
            foreach (array_keys($steps) as $label) {
                if ($print) {
                    echo "$proto $mech, $label:\n";
                }
                foreach (['fin', 'rst'] as $how) {
                    login_cut($proto, $mech, $how, $print);
                }
            }
        };
        if ([$proto, $mech] === $flat) {
            fault_flat($round);
        } else {
            $round(true);
        }
    }
}
echo "after each failure, the same Connection:\n";
foreach ($pokes as $poke => $n) {
    echo "  $n times: $poke\n";
}
foreach ($proxies as $proto => $proxy) {
    $res = cut_proxy_finish($proxy);
    echo "$proto proxy: every connection cut where asked: ", json_encode(array_sum(array_column($res, 'cut')) === count($res)), "\n";
}

// A real kill: the Dovecot login process serving this connection is stopped
// after the greeting, then killed while authenticate() waits for its
// challenge (the AUTHENTICATE line unread in its socket: the kernel resets).
$port = $env['SQAUTH_TEST_IMAP_PORT'];
$c = Connection::open("imap://127.0.0.1:$port", ['tls' => 'none', 'timeout' => 5]);
$pids = fault_server_pids($port);
echo "served by: ", implode(' ', array_map(fn($pid) => basename(trim(file_get_contents("/proc/$pid/cmdline"), "\0")), $pids)), "\n";
fault_stop_then_kill($pids[0], 0.5);
try {
    $c->authenticate('DIGEST-MD5', $user, $pass);
} catch (SqAuth\Exception $e) {
    echo "killed during DIGEST-MD5 step 1: ", fault_describe($e), "\n";
}
echo "  then: ", fault_poke($c, $user, $pass), "\n";
unset($c);
// and the next login through the same instance works
$c = Connection::open("imap://127.0.0.1:$port", ['tls' => 'none', 'timeout' => 5]);
$c->authenticate('DIGEST-MD5', $user, $pass);
echo "next login: ok\n";
?>
--EXPECT--
imap SCRAM-SHA-256, command sent, no reply:
  fin: SqAuth\ConnectionException (13): the server closed the connection, errno 0
  rst: SqAuth\ConnectionException (13): the server closed the connection, errno 104
imap SCRAM-SHA-256, inside challenge 1:
  fin: SqAuth\ConnectionException (13): the server closed the connection, errno 0
  rst: SqAuth\ConnectionException (13): the server closed the connection, errno 104
imap SCRAM-SHA-256, response 1 sent, no reply:
  fin: SqAuth\ConnectionException (13): the server closed the connection, errno 0
  rst: SqAuth\ConnectionException (13): the server closed the connection, errno 104
imap SCRAM-SHA-256, inside challenge 2:
  fin: SqAuth\ConnectionException (13): the server closed the connection, errno 0
  rst: SqAuth\ConnectionException (13): the server closed the connection, errno 104
imap SCRAM-SHA-256, last response sent, no reply:
  fin: SqAuth\ConnectionException (13): the server closed the connection, errno 0
  rst: SqAuth\ConnectionException (13): the server closed the connection, errno 104
imap SCRAM-SHA-256, inside the final reply:
  fin: SqAuth\ConnectionException (13): the server closed the connection, errno 0
  rst: SqAuth\ConnectionException (13): the server closed the connection, errno 104
imap DIGEST-MD5, command sent, no reply:
  fin: SqAuth\ConnectionException (13): the server closed the connection, errno 0
  rst: SqAuth\ConnectionException (13): the server closed the connection, errno 104
imap DIGEST-MD5, inside challenge 1:
  fin: SqAuth\ConnectionException (13): the server closed the connection, errno 0
  rst: SqAuth\ConnectionException (13): the server closed the connection, errno 104
imap DIGEST-MD5, response 1 sent, no reply:
  fin: SqAuth\ConnectionException (13): the server closed the connection, errno 0
  rst: SqAuth\ConnectionException (13): the server closed the connection, errno 104
imap DIGEST-MD5, inside challenge 2:
  fin: SqAuth\ConnectionException (13): the server closed the connection, errno 0
  rst: SqAuth\ConnectionException (13): the server closed the connection, errno 104
imap DIGEST-MD5, last response sent, no reply:
  fin: SqAuth\ConnectionException (13): the server closed the connection, errno 0
  rst: SqAuth\ConnectionException (13): the server closed the connection, errno 104
imap DIGEST-MD5, inside the final reply:
  fin: SqAuth\ConnectionException (13): the server closed the connection, errno 0
  rst: SqAuth\ConnectionException (13): the server closed the connection, errno 104
after more rounds: memory flat, descriptors flat
pop3 SCRAM-SHA-256, command sent, no reply:
  fin: SqAuth\ConnectionException (13): the server closed the connection, errno 0
  rst: SqAuth\ConnectionException (13): the server closed the connection, errno 104
pop3 SCRAM-SHA-256, inside challenge 1:
  fin: SqAuth\ConnectionException (13): the server closed the connection, errno 0
  rst: SqAuth\ConnectionException (13): the server closed the connection, errno 104
pop3 SCRAM-SHA-256, response 1 sent, no reply:
  fin: SqAuth\ConnectionException (13): the server closed the connection, errno 0
  rst: SqAuth\ConnectionException (13): the server closed the connection, errno 104
pop3 SCRAM-SHA-256, inside challenge 2:
  fin: SqAuth\ConnectionException (13): the server closed the connection, errno 0
  rst: SqAuth\ConnectionException (13): the server closed the connection, errno 104
pop3 SCRAM-SHA-256, last response sent, no reply:
  fin: SqAuth\ConnectionException (13): the server closed the connection, errno 0
  rst: SqAuth\ConnectionException (13): the server closed the connection, errno 104
pop3 SCRAM-SHA-256, inside the final reply:
  fin: SqAuth\ConnectionException (13): the server closed the connection, errno 0
  rst: SqAuth\ConnectionException (13): the server closed the connection, errno 104
smtp SCRAM-SHA-256, command sent, no reply:
  fin: SqAuth\ConnectionException (13): the server closed the connection, errno 0
  rst: SqAuth\ConnectionException (13): the server closed the connection, errno 104
smtp SCRAM-SHA-256, inside challenge 1:
  fin: SqAuth\ConnectionException (13): the server closed the connection, errno 0
  rst: SqAuth\ConnectionException (13): the server closed the connection, errno 104
smtp SCRAM-SHA-256, response 1 sent, no reply:
  fin: SqAuth\ConnectionException (13): the server closed the connection, errno 0
  rst: SqAuth\ConnectionException (13): the server closed the connection, errno 104
smtp SCRAM-SHA-256, inside challenge 2:
  fin: SqAuth\ConnectionException (13): the server closed the connection, errno 0
  rst: SqAuth\ConnectionException (13): the server closed the connection, errno 104
smtp SCRAM-SHA-256, last response sent, no reply:
  fin: SqAuth\ConnectionException (13): the server closed the connection, errno 0
  rst: SqAuth\ConnectionException (13): the server closed the connection, errno 104
smtp SCRAM-SHA-256, inside the final reply:
  fin: SqAuth\ConnectionException (13): the server closed the connection, errno 0
  rst: SqAuth\ConnectionException (13): the server closed the connection, errno 104
after each failure, the same Connection:
  48 times: protocol ok, greeting ok, isEncrypted ok, tlsInfo ok, securityLayer ok, mechanisms ConnectionException(13), authenticate ConnectionException(13), login ConnectionException(13), startTls ConnectionException(13), stream ConnectionException(13), transcript ok, close ok, close again ok
imap proxy: every connection cut where asked: true
pop3 proxy: every connection cut where asked: true
smtp proxy: every connection cut where asked: true
served by: imap-login
killed during DIGEST-MD5 step 1: SqAuth\ConnectionException (13): the server closed the connection, errno 104
  then: protocol ok, greeting ok, isEncrypted ok, tlsInfo ok, securityLayer ok, mechanisms ConnectionException(13), authenticate ConnectionException(13), login ConnectionException(13), startTls ConnectionException(13), stream ConnectionException(13), transcript ok, close ok, close again ok
next login: ok
