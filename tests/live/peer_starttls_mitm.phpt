--TEST--
Peer defects, STARTTLS against a man in the middle (real Dovecot behind an editing proxy): STARTTLS required but stripped from the capabilities is refused before any credential is sent (Roundcube continues in cleartext), and keys injected before TLS are gone after it (Net_SMTP keeps its pre-TLS EHLO keys)
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; require __DIR__ . '/skipif_valgrind.inc'; ?>
--FILE--
<?php
use SqAuth\Connection;
$env = require __DIR__ . '/env.inc';
require __DIR__ . '/cut_proxy.inc';
$user = $env['SQAUTH_TEST_USER'];
$pass = $env['SQAUTH_TEST_PASS'];
$o = ['cafile' => $env['SQAUTH_TEST_CA'], 'peer_name' => 'localhost', 'timeout' => 5];

/*
 * The proxy connects to Dovecot's remote address (127.0.0.2), where it
 * behaves as for a client from elsewhere: STARTTLS, no cleartext login before
 * it. It edits what the server says before TLS; TLS itself it cannot touch.
 */
$protocols = [
    'imap' => ['port' => $env['SQAUTH_TEST_IMAP_PORT'], 'starttls' => ' STARTTLS',
               'inject' => ' STARTTLS XPRETLS-ONLY AUTH=ANONYMOUS AUTH=PLAIN'],
    'pop3' => ['port' => $env['SQAUTH_TEST_POP3_PORT'], 'starttls' => "STLS\r\n",
               'inject' => "STLS\r\nXPRETLS-ONLY\r\nSASL ANONYMOUS PLAIN\r\n"],
    'submission' => ['port' => $env['SQAUTH_TEST_SUBMISSION_PORT'], 'starttls' => "250-STARTTLS\r\n",
                     'inject' => "250-STARTTLS\r\n250-XPRETLS-ONLY\r\n250-AUTH ANONYMOUS PLAIN\r\n"],
];
foreach ($protocols as $scheme => $p) {
    $proxy = cut_proxy($p['port'], [
        ['dir' => 'server', 'after' => $p['starttls'], 'how' => 'replace', 'with' => ''],
        ['dir' => 'server', 'after' => $p['starttls'], 'how' => 'replace', 'with' => $p['inject']],
    ], $env['SQAUTH_TEST_REMOTE_HOST']);

    echo "== $scheme, STARTTLS stripped\n";
    try {
        $c = Connection::open("$scheme://127.0.0.1:{$proxy['port']}", $o);
        echo "connected: ", json_encode($c->isEncrypted()), "\n";
        unset($c);
    } catch (SqAuth\Exception $e) {
        echo sqauth_describe($e), "\n";
    }

    echo "== $scheme, keys injected before STARTTLS\n";
    $c = Connection::open("$scheme://127.0.0.1:{$proxy['port']}", $o);
    $direct = Connection::open("$scheme://{$env['SQAUTH_TEST_REMOTE_HOST']}:{$p['port']}", $o);
    $caps = $c->capabilities();
    echo "encrypted: ", json_encode($c->isEncrypted()), "\n";
    echo "capabilities the same as Dovecot's after TLS without the proxy: ", json_encode($caps === $direct->capabilities()), "\n";
    echo "injected key left: ", json_encode(in_array('XPRETLS-ONLY', $caps, true) || isset($caps['XPRETLS-ONLY'])), "\n";
    echo "mechanisms: ", implode(' ', $c->mechanisms()), "\n";
    $c->authenticate('auto', $user, $pass);
    echo "logged in with auto\n";
    unset($c, $direct);

    foreach (cut_proxy_finish($proxy) as $i => $r) {
        $lines = array_map(fn($l) => preg_replace('/^(EHLO) .*/', '$1 ...', $l), array_filter(explode("\r\n", $r['client_start'])));
        echo "  connection ", $i + 1, ": edited ", json_encode($r['cut']), ", the client's first lines: ",
            json_encode(array_slice(array_values(preg_grep('/^[\x20-\x7e]+$/', $lines)), 0, 3)), "\n";
    }
}
?>
--EXPECT--
== imap, STARTTLS stripped
SqAuth\ProtocolException (15): the server does not offer STARTTLS; refusing to continue without TLS (use implicit TLS, or 'tls' => 'none' to allow plaintext)
== imap, keys injected before STARTTLS
encrypted: true
capabilities the same as Dovecot's after TLS without the proxy: true
injected key left: false
mechanisms: PLAIN LOGIN CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1 SCRAM-SHA-256 XOAUTH2 OAUTHBEARER
logged in with auto
  connection 1: edited true, the client's first lines: []
  connection 2: edited true, the client's first lines: ["A0001 STARTTLS"]
== pop3, STARTTLS stripped
SqAuth\ProtocolException (15): the server does not offer STLS; refusing to continue without TLS (use implicit TLS, or 'tls' => 'none' to allow plaintext)
== pop3, keys injected before STARTTLS
encrypted: true
capabilities the same as Dovecot's after TLS without the proxy: true
injected key left: false
mechanisms: PLAIN LOGIN CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1 SCRAM-SHA-256 XOAUTH2 OAUTHBEARER
logged in with auto
  connection 1: edited true, the client's first lines: ["CAPA"]
  connection 2: edited true, the client's first lines: ["CAPA","STLS"]
== submission, STARTTLS stripped
SqAuth\ProtocolException (15): the server does not offer STARTTLS; refusing to continue without TLS (use implicit TLS, or 'tls' => 'none' to allow plaintext)
== submission, keys injected before STARTTLS
encrypted: true
capabilities the same as Dovecot's after TLS without the proxy: true
injected key left: false
mechanisms: PLAIN LOGIN CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1 SCRAM-SHA-256 XOAUTH2 OAUTHBEARER
logged in with auto
  connection 1: edited true, the client's first lines: ["EHLO ..."]
  connection 2: edited true, the client's first lines: ["EHLO ...","STARTTLS"]
