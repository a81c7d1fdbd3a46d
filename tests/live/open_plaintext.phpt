--TEST--
Connection::open(): 'tls' => 'none' is plaintext, asked for by name
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
use SqAuth\Connection;
$env = require __DIR__ . '/env.inc';

foreach (['imap' => 'IMAP', 'pop3' => 'POP3', 'submission' => 'SUBMISSION'] as $scheme => $p) {
    $c = Connection::open("$scheme://127.0.0.1:{$env["SQAUTH_TEST_{$p}_PORT"]}", ['tls' => 'none']);
    $caps = $c->capabilities();
    // plaintext: the STARTTLS offer stays in the list
    $offers = $scheme === 'imap' ? in_array('STARTTLS', $caps, true) : isset($caps[$scheme === 'pop3' ? 'STLS' : 'STARTTLS']);
    echo $scheme, ': ', $c->protocol(), ' encrypted=', var_export($c->isEncrypted(), true),
        ' tlsInfo=', var_export($c->tlsInfo(), true), ' offers_starttls=', var_export($offers, true),
        ' meta_encrypted=', var_export(stream_get_meta_data($c->stream())['encrypted'], true), "\n";
    $c->close();
}

// startTls() afterwards upgrades the same connection
$c = Connection::open("imap://localhost:{$env['SQAUTH_TEST_IMAP_PORT']}", ['tls' => 'none', 'cafile' => $env['SQAUTH_TEST_CA']]);
$c->startTls();
var_dump($c->isEncrypted(), in_array('STARTTLS', $c->capabilities(), true), $c->tlsInfo()['verify']['code']);
try {
    $c->startTls();
} catch (SqAuth\Exception $e) {
    echo sqauth_describe($e), "\n";
}
?>
--EXPECT--
imap: imap encrypted=false tlsInfo=NULL offers_starttls=true meta_encrypted=false
pop3: pop3 encrypted=false tlsInfo=NULL offers_starttls=true meta_encrypted=false
submission: smtp encrypted=false tlsInfo=NULL offers_starttls=true meta_encrypted=false
bool(true)
bool(false)
int(0)
SqAuth\ProtocolException (15): TLS is already active on this connection
