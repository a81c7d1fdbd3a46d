--TEST--
contrib/squirrelmail/find-settings: SquirrelMail config lines that work, checked by logging in; unknown CA, refused logins, plaintext only when asked, a hostile server's ?> kept inside its comment, usage errors
--EXTENSIONS--
sqauth
--SKIPIF--
<?php
require __DIR__ . '/skipif.inc';
// Nine child processes, traced under valgrind (run-tests -m sets USE_ZEND_ALLOC=0): about a minute of
// memcheck for PHP code; the extension calls they make run under valgrind in the other live tests.
if (getenv('USE_ZEND_ALLOC') === '0') die('skip under valgrind: the tool runs in traced child processes');
?>
--FILE--
<?php
$env = require __DIR__ . '/env.inc';
$host = $env['SQAUTH_TEST_HOST'];
$ca = $env['SQAUTH_TEST_CA'];

function find_settings(array $args, ?string $password = null): array
{
    global $ca, $host;
    $cmd = array_merge([getenv('TEST_PHP_EXECUTABLE'), '-n', '-d', 'extension=' . dirname(__DIR__, 2) . '/modules/sqauth.so',
                        dirname(__DIR__, 2) . '/contrib/squirrelmail/find-settings'], $args);
    $env = $password === null ? [] : ['SQAUTH_PASSWORD' => $password];
    $p = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, $env);
    $out = stream_get_contents($pipes[1]) . stream_get_contents($pipes[2]);
    fclose($pipes[1]);
    fclose($pipes[2]);
    return [proc_close($p), str_replace([$ca, $host], ['CA', 'HOST'], $out)];
}

echo "== logging in, both TLS modes given\n";
[$rc, $out] = find_settings(["imaps://$host:{$env['SQAUTH_TEST_IMAPS_PORT']}", "imap://$host:{$env['SQAUTH_TEST_IMAP_PORT']}",
    "submission://$host:{$env['SQAUTH_TEST_SUBMISSION_PORT']}", "--cafile=$ca", "--user={$env['SQAUTH_TEST_USER']}"],
    $env['SQAUTH_TEST_PASS']);
echo "exit $rc\n$out";
// The lines are PHP that SquirrelMail can load, with the values printed.
eval(preg_replace('~^//.*$~m', '', str_replace(['CA', 'HOST'], [$ca, $host], $out)));
var_dump($imapPort === (int)$env['SQAUTH_TEST_IMAPS_PORT'], $use_imap_tls, $imap_auth_mech, $use_smtp_tls, $smtp_auth_mech,
    $smtp_stream_options['ssl']['cafile'] === $ca);

echo "== without --user: the strongest mechanism offered\n";
[$rc, $out] = find_settings(["imap://$host:{$env['SQAUTH_TEST_IMAP_PORT']}", "smtps://$host:{$env['SQAUTH_TEST_SUBMISSIONS_PORT']}", "--cafile=$ca"]);
echo "exit $rc\n$out";

echo "== a wrong password: every login refused, no password printed (IMAP only: each refusal costs Dovecot's delay)\n";
[$rc, $out] = find_settings(["imaps://$host:{$env['SQAUTH_TEST_IMAPS_PORT']}", "--cafile=$ca", "--user={$env['SQAUTH_TEST_USER']}"],
    'Wr0ng-Secret');
echo "exit $rc\n";
var_dump(str_contains($out, 'Wr0ng-Secret'), substr_count($out, 'refused: the server refused'));
echo implode("\n", array_filter(explode("\n", $out), fn($l) => str_contains($l, 'scram-sha-256 refused')
    || str_contains($l, 'nothing works') || str_contains($l, 'no server given'))), "\n";

echo "== a certificate from an unknown CA, and no TLS unless asked for\n";
[$rc, $out] = find_settings(["imaps://$host:{$env['SQAUTH_TEST_IMAPS_UNKNOWNCA_PORT']}", "smtp://$host:{$env['SQAUTH_TEST_RELAY_PORT']}", "--cafile=$ca"]);
echo "exit $rc\n$out";
[$rc, $out] = find_settings(["imaps://$host:{$env['SQAUTH_TEST_IMAPS_PORT']}", "smtp://$host:{$env['SQAUTH_TEST_RELAY_PORT']}", "--cafile=$ca", '--allow-plaintext']);
echo "exit $rc\n$out";

echo "== a server's bytes in the comments cannot end them: its greeting with ?> and PHP after it\n";
require __DIR__ . '/fake_server.inc';
$srv = sqauth_fake_server([['send', "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi ?><?php echo 'INJECTED'; ?>\r\n"], ['drain', 5]]);
[$rc, $out] = find_settings(["imap://127.0.0.1:{$srv['port']}"]);
sqauth_fake_server_finish($srv);
echo "exit $rc\n", preg_grep('/Server replied/', explode("\n", $out)) ? implode("\n", preg_grep('/Server replied/', explode("\n", $out))) : $out, "\n";
// What an administrator does with the lines: config/config_local.php.
$config = tempnam(sys_get_temp_dir(), 'sqauth-config');
file_put_contents($config, "<?php\n$out");
echo 'loading them prints: ', json_encode((string)shell_exec(escapeshellarg((string)getenv('TEST_PHP_EXECUTABLE')) . ' -n ' . escapeshellarg($config))), "\n";
unlink($config);

echo "== usage\n";
foreach ([[], ['--password=x', 'h'], ['--timeout=0', 'h'], ['--bogus', 'h'], ['ftp://h'], ['a b']] as $args) {
    [$rc, $out] = find_settings($args);
    echo "exit $rc: ", strtok($out, "\n"), "\n";
}
?>
--EXPECTF--
== logging in, both TLS modes given
exit 0
// SquirrelMail settings found by sqauth's find-settings: put them into config/config_local.php
// IMAP: TLS from the first byte; TLSv1.3, certificate CN=localhost,O=sqauth tests verified; logged in as testuser
//   also works: imap://HOST:%d (STARTTLS, $imap_auth_mech = 'scram-sha-256')
$imapServerAddress = 'HOST';
$imapPort = %d;
$use_imap_tls = 1;
$imap_auth_mech = 'scram-sha-256';
$imap_stream_options = array('ssl' => array('cafile' => 'CA'));
// SMTP: STARTTLS; TLSv1.3, certificate CN=localhost,O=sqauth tests verified; logged in as testuser
$smtpServerAddress = 'HOST';
$smtpPort = %d;
$use_smtp_tls = 2;
$smtp_auth_mech = 'scram-sha-256';
$smtp_stream_options = array('ssl' => array('cafile' => 'CA'));
bool(true)
int(1)
string(13) "scram-sha-256"
int(2)
string(13) "scram-sha-256"
bool(true)
== without --user: the strongest mechanism offered
exit 0
// SquirrelMail settings found by sqauth's find-settings: put them into config/config_local.php
// IMAP: STARTTLS; TLSv1.3, certificate CN=localhost,O=sqauth tests verified; offers PLAIN LOGIN CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1 SCRAM-SHA-256 XOAUTH2 OAUTHBEARER (not tried: no --user)
$imapServerAddress = 'HOST';
$imapPort = %d;
$use_imap_tls = 2;
$imap_auth_mech = 'scram-sha-256';
$imap_stream_options = array('ssl' => array('cafile' => 'CA'));
// SMTP: TLS from the first byte; TLSv1.3, certificate CN=localhost,O=sqauth tests verified; offers PLAIN LOGIN CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1 SCRAM-SHA-256 XOAUTH2 OAUTHBEARER (not tried: no --user)
$smtpServerAddress = 'HOST';
$smtpPort = %d;
$use_smtp_tls = 1;
$smtp_auth_mech = 'scram-sha-256';
$smtp_stream_options = array('ssl' => array('cafile' => 'CA'));
== a wrong password: every login refused, no password printed (IMAP only: each refusal costs Dovecot's delay)
exit 1
bool(false)
int(6)
// IMAP: nothing works
//   imaps://HOST:%d scram-sha-256 refused: the server refused the SCRAM-SHA-256 login: A0001 NO [AUTHENTICATIONFAILED] Authentication failed.
// SMTP: no server given
== a certificate from an unknown CA, and no TLS unless asked for
exit 3
// SquirrelMail settings found by sqauth's find-settings: put them into config/config_local.php
// IMAP: nothing works
//   imaps://HOST:%d does not work: certificate verify failed: unable to get local issuer certificate (depth 0); pass the CA that signed the server's certificate as 'cafile' (or 'capath') / Server certificate: /O=sqauth tests/CN=localhost (verify error 20: unable to get local issuer certificate, at depth 0)
// SMTP: nothing works
//   smtp://HOST:%d does not work: the server does not offer STARTTLS; refusing to continue without TLS (use implicit TLS, or 'tls' => 'none' to allow plaintext) / Server replied: 250-localhost 250-8BITMIME 250-ENHANCEDSTATUSCODES 250 SIZE 10240000
exit 0
// SquirrelMail settings found by sqauth's find-settings: put them into config/config_local.php
// IMAP: TLS from the first byte; TLSv1.3, certificate CN=localhost,O=sqauth tests verified; offers PLAIN LOGIN CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1 SCRAM-SHA-256 XOAUTH2 OAUTHBEARER (not tried: no --user)
$imapServerAddress = 'HOST';
$imapPort = %d;
$use_imap_tls = 1;
$imap_auth_mech = 'scram-sha-256';
$imap_stream_options = array('ssl' => array('cafile' => 'CA'));
// SMTP: no TLS (--allow-plaintext); the server offers no AUTH
$smtpServerAddress = 'HOST';
$smtpPort = %d;
$use_smtp_tls = 0;
$smtp_auth_mech = 'none';
== a server's bytes in the comments cannot end them: its greeting with ?> and PHP after it
exit 3
//   imap://HOST:%d does not work: the server does not offer STARTTLS; refusing to continue without TLS (use implicit TLS, or 'tls' => 'none' to allow plaintext) / Server replied: * OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi ? ><?php echo 'INJECTED'; ? >
loading them prints: ""
== usage
exit 2: find-settings: no server given
exit 2: find-settings: passwords are never taken from the command line: set SQAUTH_PASSWORD or answer the prompt
exit 2: find-settings: --timeout must be a positive number of seconds
exit 2: find-settings: unknown option --bogus
exit 2: find-settings: ftp://h: the scheme must be one of imaps, imap, smtps, submissions, submission, smtp
exit 2: find-settings: a b is neither a host name nor a URI
