--TEST--
Peer defects, DIGEST-MD5 rspauth over the wire (scripted servers for IMAP, POP3, SMTP): an rspauth that is present but wrong is SaslException 4 even when the server then says OK (Horde and Roundcube check only that it is there), and so is a success with no rspauth at all (curl never checks it); the client cancels instead of answering a wrong one
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; require __DIR__ . '/skipif_valgrind.inc'; ?>
--FILE--
<?php
use SqAuth\Connection;
$env = require __DIR__ . '/env.inc';
require __DIR__ . '/fake_server.inc';

/*
 * The server cannot know the password (it never checks the response): a
 * server that proves nothing. rspauth is right only when computed from the
 * password; these servers send 32 hex digits of the right form, or skip
 * the step and claim success.
 */
$challenge = base64_encode('realm="a.example",nonce="OA6MG9tEQGm2hh",qop="auth",charset=utf-8,algorithm=md5-sess');
$wrong = base64_encode('rspauth=ea40f60335c427b5527b84dbabcdfffd');
$protocols = [
    'imap' => ['greet' => ["* OK [CAPABILITY IMAP4rev1 AUTH=DIGEST-MD5] fake\r\n"], 'auth' => 'A0001 AUTHENTICATE DIGEST-MD5',
               'cont' => '+ ', 'ok' => "A0001 OK [CAPABILITY IMAP4rev1] Logged in\r\n"],
    'pop3' => ['greet' => ["+OK fake\r\n", ['expect', 'CAPA'], "+OK\r\nSASL DIGEST-MD5\r\n.\r\n"], 'auth' => 'AUTH DIGEST-MD5',
               'cont' => '+ ', 'ok' => "+OK Logged in\r\n"],
    'smtp' => ['greet' => ["220 fake ESMTP\r\n", ['expect', 'EHLO '], "250-fake\r\n250 AUTH DIGEST-MD5\r\n"], 'auth' => 'AUTH DIGEST-MD5',
               'cont' => '334 ', 'ok' => "235 2.7.0 Logged in\r\n"],
];
foreach ($protocols as $proto => $p) {
    $greet = array_map(fn($s) => is_array($s) ? $s : ['send', $s], $p['greet']);
    $cases = [
        'present but wrong, then OK' => array_merge($greet, [
            ['expect', $p['auth']], ['send', "{$p['cont']}$challenge\r\n"],
            ['expect', ''], ['send', "{$p['cont']}$wrong\r\n"],
            ['expect', ''], ['send', $p['ok']], ['drain', 5]]),
        'absent: OK right after the response' => array_merge($greet, [
            ['expect', $p['auth']], ['send', "{$p['cont']}$challenge\r\n"],
            ['expect', ''], ['send', $p['ok']], ['drain', 5]]),
    ];
    foreach ($cases as $what => $steps) {
        $srv = sqauth_fake_server($steps);
        $c = Connection::open("$proto://127.0.0.1:{$srv['port']}", ['tls' => 'none', 'timeout' => 5]);
        try {
            $c->authenticate('DIGEST-MD5', $env['SQAUTH_TEST_USER'], 'Sec-ret-9');
            echo "$proto, $what: LOGGED IN\n";
        } catch (SqAuth\Exception $e) {
            echo "$proto, $what: ", sqauth_describe($e), "\n";
        }
        // the session the server calls logged in is not handed over
        try {
            $c->stream();
            echo "  stream(): handed over\n";
        } catch (SqAuth\Exception $e) {
            echo "  stream(): ", get_class($e), ' (', $e->getCode(), ")\n";
        }
        unset($c);
        $got = sqauth_fake_server_finish($srv);
        // the DIGEST-MD5 response itself is base64 of a line with the password's hash in it
        $got = array_map(fn($l) => preg_match('/^[A-Za-z0-9+\/]{100,}={0,2}$/', $l) ? '<response>' : $l, $got);
        echo "  server got: ", json_encode($got), "\n";
    }
}
?>
--EXPECT--
imap, present but wrong, then OK: SqAuth\SaslException (4): DIGEST-MD5 server signature (rspauth) does not match: the server does not know the password, or the exchange was tampered with
  stream(): SqAuth\ConnectionException (13)
  server got: ["A0001 AUTHENTICATE DIGEST-MD5","<response>","*"]
imap, absent: OK right after the response: SqAuth\SaslException (4): the server accepted the DIGEST-MD5 login without proving that it knows the password (no valid rspauth); not trusting this connection
  stream(): SqAuth\ConnectionException (13)
  server got: ["A0001 AUTHENTICATE DIGEST-MD5","<response>"]
pop3, present but wrong, then OK: SqAuth\SaslException (4): DIGEST-MD5 server signature (rspauth) does not match: the server does not know the password, or the exchange was tampered with
  stream(): SqAuth\ConnectionException (13)
  server got: ["CAPA","AUTH DIGEST-MD5","<response>","*"]
pop3, absent: OK right after the response: SqAuth\SaslException (4): the server accepted the DIGEST-MD5 login without proving that it knows the password (no valid rspauth); not trusting this connection
  stream(): SqAuth\ConnectionException (13)
  server got: ["CAPA","AUTH DIGEST-MD5","<response>"]
smtp, present but wrong, then OK: SqAuth\SaslException (4): DIGEST-MD5 server signature (rspauth) does not match: the server does not know the password, or the exchange was tampered with
  stream(): SqAuth\ConnectionException (13)
  server got: ["EHLO [127.0.0.1]","AUTH DIGEST-MD5","<response>","*"]
smtp, absent: OK right after the response: SqAuth\SaslException (4): the server accepted the DIGEST-MD5 login without proving that it knows the password (no valid rspauth); not trusting this connection
  stream(): SqAuth\ConnectionException (13)
  server got: ["EHLO [127.0.0.1]","AUTH DIGEST-MD5","<response>"]
