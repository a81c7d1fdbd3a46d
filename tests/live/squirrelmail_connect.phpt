--TEST--
SquirrelMail plugin: sqauth_sm_connect() per TLS setting, the stream it hands out, and what the error pages say (TLS verify, refused connection, no STARTTLS, a server echoing the password, raw or base64)
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
$env = require __DIR__ . '/env.inc';
require __DIR__ . '/fake_server.inc';
require __DIR__ . '/../../contrib/squirrelmail/plugins/sqauth/functions.php';

$host = $env['SQAUTH_TEST_HOST'];
$ca = ['ssl' => ['cafile' => $env['SQAUTH_TEST_CA']]];

echo "== the three \$use_imap_tls values\n";
foreach ([0 => $env['SQAUTH_TEST_IMAP_PORT'], 1 => $env['SQAUTH_TEST_IMAPS_PORT'], 2 => $env['SQAUTH_TEST_IMAP_PORT']] as $tls => $port) {
    // TLS options play no part without TLS, as with SquirrelMail's own fsockopen()
    $c = sqauth_sm_connect('imap', $host, $port, $tls, $tls ? $ca : ['ssl' => ['verify_depth' => 1]], '$imap_stream_options');
    $s = $c->stream();
    echo "$tls: encrypted ", var_export($c->isEncrypted(), true), ', ours ', var_export(sqauth_sm_entry($s)['connection'] === $c, true), "\n";
    fwrite($s, "x NOOP\r\n");
    echo '   ', fgets($s);
    $c->close();
}
var_dump(sqauth_sm_entry(fopen('php://memory', 'r')), sqauth_sm_entry(null));

echo "== POP3 (POP before SMTP): STLS when offered\n";
$c = sqauth_sm_connect('pop3', $host, $env['SQAUTH_TEST_POP3_PORT'], 'offered', $ca, '$smtp_stream_options');
var_dump($c->isEncrypted());
$c->login($env['SQAUTH_TEST_USER'], $env['SQAUTH_TEST_PASS']);
echo "logged in\n";

echo "== SMTP: EHLO name, then the mechanisms\n";
$c = sqauth_sm_connect('smtp', $host, $env['SQAUTH_TEST_SUBMISSION_PORT'], 2, $ca, '$smtp_stream_options', ['helo' => 'webmail.a.example']);
sqauth_sm_authenticate($c, 'auto', $env['SQAUTH_TEST_USER'], $env['SQAUTH_TEST_PASS'], $host, '', false);
echo "auto: logged in\n";

echo "== an unknown CA\n";
try {
    sqauth_sm_connect('imap', $host, $env['SQAUTH_TEST_IMAPS_UNKNOWNCA_PORT'], 1, $ca, '$imap_stream_options');
} catch (SqAuth\TlsException $e) {
    echo implode("\n", sqauth_sm_describe($e, '$imap_stream_options')), "\n";
}

echo "== nobody listening\n";
$l = stream_socket_server('tcp://127.0.0.1:0');
$free = (int)substr(stream_socket_get_name($l, false), strlen('127.0.0.1:'));
fclose($l);
try {
    sqauth_sm_connect('smtp', '127.0.0.1', $free, 0, [], '$smtp_stream_options');
} catch (SqAuth\ConnectionException $e) {
    echo str_replace((string)$free, 'PORT', implode("\n", sqauth_sm_describe($e, '$smtp_stream_options'))), "\n";
}

echo "== STARTTLS asked for, not offered\n";
try {
    sqauth_sm_connect('smtp', $host, $env['SQAUTH_TEST_RELAY_PORT'], 2, $ca, '$smtp_stream_options');
} catch (SqAuth\ProtocolException $e) {
    echo implode("\n", sqauth_sm_describe($e, '$smtp_stream_options')), "\n";
}

echo "== a setting sqauth cannot honour: refused before connecting\n";
try {
    sqauth_sm_connect('imap', $host, $env['SQAUTH_TEST_IMAPS_PORT'], 1, ['ssl' => ['allow_self_signed' => true]], '$imap_stream_options');
} catch (SqAuthSettingError $e) {
    echo implode("\n", sqauth_sm_describe($e, '$imap_stream_options')), "\n";
}

echo "== a server that echoes the password in its refusal\n";
$srv = sqauth_fake_server([
    ['send', "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] fake\r\n"],
    ['expect', 'A0001 AUTHENTICATE PLAIN'],
    ['send', "A0001 NO [AUTHENTICATIONFAILED] wrong password Sekr3t-Pass for user\r\n"],
    ['drain', 5],
]);
$c = sqauth_sm_connect('imap', '127.0.0.1', $srv['port'], 0, [], '$imap_stream_options');
try {
    sqauth_sm_authenticate($c, 'plain', 'user', 'Sekr3t-Pass', '127.0.0.1', '', true);
} catch (SqAuth\AuthenticationException $e) {
    $text = implode("\n", sqauth_sm_describe($e, '$imap_stream_options', 'Sekr3t-Pass'));
    echo $text, "\n";
    var_dump(str_contains($text, 'Sekr3t'));
}
$c->close();
sqauth_fake_server_finish($srv);

echo "== ... and one that echoes the AUTH line, base64 and all (a site-wide SMTP password would reach every user's page)\n";
$sent = base64_encode("\0user\0Sekr3t-Pass");
$srv = sqauth_fake_server([
    ['send', "220 fake ESMTP\r\n"], ['expect', 'EHLO '], ['send', "250-fake\r\n250 AUTH PLAIN LOGIN\r\n"],
    ['expect', 'AUTH PLAIN '], ['send', "535 5.7.8 cannot decode 'AUTH PLAIN $sent'\r\n"],
    ['expect', 'AUTH LOGIN'], ['send', '334 ' . base64_encode('Username:') . "\r\n"], ['expect', base64_encode('user')],
    ['send', '334 ' . base64_encode('Password:') . "\r\n"], ['expect', base64_encode('Sekr3t-Pass')],
    ['send', '535 5.7.8 wrong password ' . base64_encode('Sekr3t-Pass') . "\r\n"], ['drain', 5],
]);
$c = sqauth_sm_connect('smtp', '127.0.0.1', $srv['port'], 0, [], '$smtp_stream_options');
foreach (['plain', 'login'] as $mech) {
    try {
        sqauth_sm_authenticate($c, sqauth_sm_mechanism($mech), 'user', 'Sekr3t-Pass', '127.0.0.1', '', true);
    } catch (SqAuth\AuthenticationException $e) {
        $text = implode("\n", sqauth_sm_describe($e, '$smtp_stream_options', 'Sekr3t-Pass'));
        echo $text, "\n";
        var_dump(str_contains($text, $sent) || str_contains($text, base64_encode('Sekr3t-Pass')));
    }
}
$c->close();
sqauth_fake_server_finish($srv);
// sqauth redacts what it sent before the plugin sees the text; the plugin's own redaction is the
// second line, for text that reaches it another way
echo sqauth_sm_redact("535 cannot decode 'AUTH PLAIN $sent', nor Sekr3t-Pass", 'Sekr3t-Pass'), "\n";
?>
--EXPECTF--
== the three $use_imap_tls values
0: encrypted false, ours true
   x OK NOOP completed%s
1: encrypted true, ours true
   x OK NOOP completed%s
2: encrypted true, ours true
   x OK NOOP completed%s
NULL
NULL
== POP3 (POP before SMTP): STLS when offered
bool(true)
logged in
== SMTP: EHLO name, then the mechanisms
auto: logged in
== an unknown CA
certificate verify failed: unable to get local issuer certificate (depth 0); pass the CA that signed the server's certificate as 'cafile' (or 'capath')
Server certificate: /O=sqauth tests/CN=localhost (verify error 20: unable to get local issuer certificate, at depth 0)
OpenSSL: SSL routines: certificate verify failed (error:0A000086:SSL routines::certificate verify failed)
TLS options for SquirrelMail go into $imap_stream_options = array('ssl' => array('cafile' => '...', 'peer_name' => '...')); in config/config_local.php.
== nobody listening
cannot connect to 127.0.0.1 port PORT: Connection refused
errno 111
== STARTTLS asked for, not offered
the server does not offer STARTTLS; refusing to continue without TLS (use implicit TLS, or 'tls' => 'none' to allow plaintext)
Server replied: 250-localhost 250-8BITMIME 250-ENHANCEDSTATUSCODES 250 SIZE 10240000
In SquirrelMail $use_smtp_tls = 2 asks for STARTTLS; 1 is TLS from the first byte (ports 993, 465).
== a setting sqauth cannot honour: refused before connecting
$imap_stream_options['ssl']['allow_self_signed'] cannot be honoured with sqauth: sqauth does not accept a self-signed certificate blindly; put the server's certificate into a file and name it as 'cafile' instead. Change or remove it in the SquirrelMail configuration, or unload the sqauth extension to go back to PHP's own TLS.
== a server that echoes the password in its refusal
the server refused the PLAIN login: A0001 NO [AUTHENTICATIONFAILED] wrong password <redacted> for user
bool(false)
== ... and one that echoes the AUTH line, base64 and all (a site-wide SMTP password would reach every user's page)
the server refused the PLAIN login: 535 5.7.8 cannot decode 'AUTH PLAIN <redacted>'
bool(false)
the server refused the LOGIN login: 535 5.7.8 wrong password <redacted>
bool(false)
535 cannot decode 'AUTH PLAIN <password>', nor <password>
