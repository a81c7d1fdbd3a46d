--TEST--
Connection::authenticate(): SASL-IR puts the initial response on the AUTHENTICATE line; without it the client waits for "+"; transcripts never hold a secret
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
use SqAuth\Connection;
$env = require __DIR__ . '/env.inc';
require __DIR__ . '/fake_server.inc';

$u = $env['SQAUTH_TEST_USER'];
$p = $env['SQAUTH_TEST_PASS'];
$secrets = [$p, base64_encode("\0$u\0$p"), base64_encode($p), base64_encode("$u\0$u\0$p")];
function leaks(array $t, array $secrets): bool
{
    $all = implode("\n", $t);
    foreach ($secrets as $s) {
        if (str_contains($all, $s)) {
            return true;
        }
    }
    return false;
}
$opts = ['cafile' => $env['SQAUTH_TEST_CA'], 'transcript' => true];

echo "== Dovecot IMAP (SASL-IR)\n";
$c = Connection::open("imap://localhost:{$env['SQAUTH_TEST_IMAP_PORT']}", $opts);
var_dump(in_array('SASL-IR', $c->capabilities(), true));
$c->authenticate('PLAIN', $u, $p);
$t = $c->transcript();
echo implode("\n", array_map(fn ($l) => preg_replace('/\] Logged in.*/', '] Logged in', preg_replace('/\[CAPABILITY [^\]]*\]/', '[CAPABILITY ...]', $l)),
    array_slice($t, -2))), "\n";

echo "== every mechanism, every protocol: no secret in a transcript\n";
foreach (["imap://localhost:{$env['SQAUTH_TEST_IMAP_PORT']}", "pop3://localhost:{$env['SQAUTH_TEST_POP3_PORT']}",
          "submission://localhost:{$env['SQAUTH_TEST_SUBMISSION_PORT']}"] as $uri) {
    $bad = [];
    foreach (['PLAIN', 'LOGIN', 'CRAM-MD5', 'DIGEST-MD5', 'SCRAM-SHA-1', 'SCRAM-SHA-256'] as $mech) {
        $c = Connection::open($uri, $opts);
        $c->authenticate($mech, $u, $p);
        if (leaks($c->transcript(), $secrets)) {
            $bad[] = $mech;
        }
        // the sent lines after the AUTH command are all "<redacted>", "" or "*"
        $sent = preg_grep('/^C: /', $c->transcript());
        foreach ($sent as $l) {
            if (!preg_match('/^C: ((A\d+ )?(CAPABILITY|STARTTLS|EHLO \S+|CAPA|STLS)|(A\d+ AUTHENTICATE|AUTH) [-A-Z0-9]+( <redacted>)?|<redacted>|)$/', $l)) {
                $bad[] = "$mech: $l";
            }
        }
    }
    echo parse_url($uri, PHP_URL_SCHEME), ': ', $bad ? implode(', ', $bad) : 'clean', "\n";
}

echo "== scripted IMAP server without SASL-IR\n";
$srv = sqauth_fake_server([
    ['send', "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] fake\r\n"],
    ['expect', 'A0001 AUTHENTICATE PLAIN'],
    ['send', "+ \r\n"],
    ['expect', ''],
    ['send', "A0001 OK done\r\n"],
    ['drain', 5],
]);
$c = Connection::open("imap://127.0.0.1:{$srv['port']}", ['tls' => 'none', 'transcript' => true]);
$c->authenticate('PLAIN', $u, $p, ['allow_plaintext' => true]);
echo implode("\n", $c->transcript()), "\n";
$c->close();
$got = sqauth_fake_server_finish($srv);
echo implode("\n", $got), "\n";
var_dump($got[1] === base64_encode("\0$u\0$p"));
?>
--EXPECT--
== Dovecot IMAP (SASL-IR)
bool(true)
C: A0003 AUTHENTICATE PLAIN <redacted>
S: A0003 OK [CAPABILITY ...] Logged in
== every mechanism, every protocol: no secret in a transcript
imap: clean
pop3: clean
submission: clean
== scripted IMAP server without SASL-IR
S: * OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] fake
C: A0001 AUTHENTICATE PLAIN
S: + 
C: <redacted>
S: A0001 OK done
A0001 AUTHENTICATE PLAIN
AHRlc3R1c2VyAHRlc3RwYXNz
A0002 LOGOUT
bool(true)
