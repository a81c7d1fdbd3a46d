--TEST--
SqAuth\detect(): IMAP (STARTTLS), IMAPS, POP3, submission; 'probe'; LOGINDISABLED on the remote address; closed port
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
$env = require __DIR__ . '/env.inc';

$opts = ['cafile' => $env['SQAUTH_TEST_CA']];
$all = ['PLAIN', 'LOGIN', 'CRAM-MD5', 'DIGEST-MD5', 'SCRAM-SHA-1', 'SCRAM-SHA-256', 'XOAUTH2', 'OAUTHBEARER'];
foreach ([
    "imap://localhost:{$env['SQAUTH_TEST_IMAP_PORT']}",
    "imaps://localhost:{$env['SQAUTH_TEST_IMAPS_PORT']}",
    "pop3://localhost:{$env['SQAUTH_TEST_POP3_PORT']}",
    "submission://localhost:{$env['SQAUTH_TEST_SUBMISSION_PORT']}",
] as $uri) {
    $d = SqAuth\detect($uri, $opts);
    echo "== $uri\n";
    echo implode(' ', array_keys($d)), "\n";
    var_dump($d['uri'] === $uri);
    echo $d['protocol'], ' ', $d['tls_mode'], ' starttls=', var_export($d['starttls'], true),
        ' login_disabled=', var_export($d['login_disabled'], true), "\n";
    echo $d['greeting'], "\n";
    var_dump($d['mechanisms'] === $all);
    echo $d['tls']['protocol'], ' verified=', var_export($d['tls']['verify']['verified'], true), "\n";
    // capabilities are the ones under TLS: no STARTTLS/STLS left in them
    $caps = $d['protocol'] === 'imap' ? $d['capabilities'] : array_keys($d['capabilities']);
    var_dump(array_intersect($caps, ['STARTTLS', 'STLS', 'LOGINDISABLED']));
}

echo "== probe\n";
$d = SqAuth\detect("imap://localhost:{$env['SQAUTH_TEST_IMAP_PORT']}", $opts + ['probe' => true]);
ksort($d['probed']);
var_export($d['probed']);
echo "\n";
$d = SqAuth\detect("submission://localhost:{$env['SQAUTH_TEST_SUBMISSION_PORT']}", $opts + ['probe' => true]);
var_dump(count(array_filter($d['probed'])) === 6 && count($d['probed']) === 6);

echo "== remote address, no TLS\n";
$d = SqAuth\detect("imap://{$env['SQAUTH_TEST_REMOTE_HOST']}:{$env['SQAUTH_TEST_IMAP_PORT']}", ['tls' => 'none', 'probe' => true]);
echo $d['tls_mode'], ' starttls=', var_export($d['starttls'], true), ' login_disabled=', var_export($d['login_disabled'], true),
    ' tls=', var_export($d['tls'], true), "\n";
echo implode(' ', $d['mechanisms']), "\n";
ksort($d['probed']);
echo implode(' ', array_keys(array_filter($d['probed']))), "\n";
// POP3: CAPA without USER (plaintext refused before STLS) is reported as login_disabled
$d = SqAuth\detect("pop3://{$env['SQAUTH_TEST_REMOTE_HOST']}:{$env['SQAUTH_TEST_POP3_PORT']}", ['tls' => 'none']);
echo $d['protocol'], ' login_disabled=', var_export($d['login_disabled'], true), ': ', implode(' ', $d['mechanisms']), "\n";

echo "== closed port\n";
try {
    SqAuth\detect("imap://127.0.0.1:1", $opts);
} catch (SqAuth\Exception $e) {
    echo sqauth_describe($e), "\n";
}
?>
--EXPECTF--
== imap://localhost:%d
uri protocol tls_mode greeting capabilities starttls login_disabled mechanisms tls
bool(true)
imap starttls starttls=true login_disabled=false
* OK [CAPABILITY IMAP4rev1 %s] sqauth test dovecot (main) ready.
bool(true)
TLSv1.3 verified=true
array(0) {
}
== imaps://localhost:%d
uri protocol tls_mode greeting capabilities starttls login_disabled mechanisms tls
bool(true)
imap implicit starttls=false login_disabled=false
* OK [CAPABILITY IMAP4rev1 %s] sqauth test dovecot (main) ready.
bool(true)
TLSv1.3 verified=true
array(0) {
}
== pop3://localhost:%d
uri protocol tls_mode greeting capabilities starttls login_disabled mechanisms tls
bool(true)
pop3 starttls starttls=true login_disabled=false
+OK sqauth test dovecot (main) ready.
bool(true)
TLSv1.3 verified=true
array(0) {
}
== submission://localhost:%d
uri protocol tls_mode greeting capabilities starttls login_disabled mechanisms tls
bool(true)
smtp starttls starttls=true login_disabled=false
220 localhost sqauth test dovecot (main) ready.
bool(true)
TLSv1.3 verified=true
array(0) {
}
== probe
array (
  'CRAM-MD5' => true,
  'DIGEST-MD5' => true,
  'LOGIN' => true,
  'PLAIN' => true,
  'SCRAM-SHA-1' => true,
  'SCRAM-SHA-256' => true,
)
bool(true)
== remote address, no TLS
none starttls=true login_disabled=true tls=NULL
CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1 SCRAM-SHA-256
CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1 SCRAM-SHA-256
pop3 login_disabled=true: CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1 SCRAM-SHA-256
== closed port
SqAuth\ConnectionException (11): cannot connect to 127.0.0.1 port 1: Connection refused
