--TEST--
contrib/net-smtp: PEAR Net_SMTP (Roundcube's SMTP layer) sends through Dovecot's submission with SCRAM-SHA-256 and SCRAM-SHA-1 registered by setAuthMethod() (STARTTLS and implicit TLS); the messages arrive; a scripted server with a wrong or missing server signature gets a cancel and a closed connection
--EXTENSIONS--
sqauth
--SKIPIF--
<?php
require __DIR__ . '/skipif.inc';
require __DIR__ . '/contrib.inc';
sqauth_contrib_skipif('/usr/share/php/Net/SMTP.php', 'php-net-smtp');
?>
--FILE--
<?php
require __DIR__ . '/contrib.inc';
sqauth_contrib_with_system_ini(__FILE__);
require_once '/usr/share/php/Net/SMTP.php';
// PEAR 1.10 itself sets a dynamic property (PEAR_Error::$callback), deprecated
// since PHP 8.2; only that one notice from PEAR.php is dropped, any other stays.
set_error_handler(fn (int $no, string $msg, string $file) => $no === E_DEPRECATED && $file === '/usr/share/php/PEAR.php'
    && str_contains($msg, 'dynamic property PEAR_Error::'));
require dirname(__DIR__, 2) . '/contrib/net-smtp/ScramAuth.php';
require __DIR__ . '/fake_server.inc';
$env = require __DIR__ . '/env.inc';

use SqAuth\Contrib\NetSmtp\ScramAuth;

$u = $env['SQAUTH_TEST_USER'];
$p = $env['SQAUTH_TEST_PASS'];
$ssl = ['ssl' => ['cafile' => $env['SQAUTH_TEST_CA'], 'verify_peer' => true, 'verify_peer_name' => true, 'peer_name' => 'localhost']];

/* Net_SMTP with the debug log collected; returns [Net_SMTP, &log]. */
function smtp(string $host, int $port, ?array $socket_options, array &$log): Net_SMTP
{
    $smtp = new Net_SMTP($host, $port, 'client.test', false, 10, $socket_options);
    $smtp->setDebug(true, function ($smtp, $msg) use (&$log) { $log[] = $msg; });
    return $smtp;
}
function ok(mixed $r): string
{
    return $r === true ? 'true' : (is_object($r) && $r instanceof PEAR_Error
        ? 'PEAR_Error (' . $r->getCode() . '): ' . $r->getMessage() : var_export($r, true));
}

$cases = [
    ['submission STARTTLS', 'localhost', (int)$env['SQAUTH_TEST_SUBMISSION_PORT'], true],
    ['submissions (implicit TLS)', 'ssl://localhost', (int)$env['SQAUTH_TEST_SUBMISSIONS_PORT'], false],
];
foreach ($cases as [$label, $host, $port, $starttls]) {
    foreach ([null, 'SCRAM-SHA-1'] as $method) {
        $log = [];
        $smtp = smtp($host, $port, $ssl, $log);
        ScramAuth::register($smtp);
        $msgid = sqauth_contrib_message_id();
        $steps = [
            'connect' => fn () => $smtp->connect(),
            'auth' => fn () => $smtp->auth($u, $p, $method ?? '', $starttls),
            'mailFrom' => fn () => $smtp->mailFrom("$u@a.example"),
            'rcptTo' => fn () => $smtp->rcptTo("$u@a.example"),
            'data' => fn () => $smtp->data("From: <$u@a.example>\r\nTo: <$u@a.example>\r\nSubject: sqauth contrib net_smtp\r\n"
                . "Message-ID: $msgid\r\n\r\nsent by tests/live/contrib_net_smtp.phpt\r\n"),
            'disconnect' => fn () => $smtp->disconnect(),
        ];
        $results = [];
        foreach ($steps as $name => $step) {
            $r = $step();
            if ($r !== true) {
                $results[] = "$name: " . ok($r);
                break;
            }
        }
        $auth = preg_grep('/^Send: AUTH /', $log);
        printf("%s, %s: %s, %s, STARTTLS %s, password in the debug log: %s, in INBOX: %s\n", $label,
            $method ?? 'best method', $results ? implode('; ', $results) : 'all steps true',
            $auth ? preg_replace('/^Send: (AUTH \S+).*/s', '$1', reset($auth)) : 'no AUTH',
            preg_grep('/^Send: STARTTLS/', $log) ? 'yes' : 'no',
            preg_grep('/' . preg_quote($p, '/') . '|' . preg_quote(base64_encode($p), '/') . '/', $log) ? 'yes' : 'no',
            sqauth_contrib_in_inbox($env, $msgid) ? 'yes' : 'no');
    }
}

echo "-- a wrong password\n";
$log = [];
$smtp = smtp('ssl://localhost', (int)$env['SQAUTH_TEST_SUBMISSIONS_PORT'], $ssl, $log);
ScramAuth::register($smtp);
$smtp->connect();
echo ok($smtp->auth($u, 'wrong', 'SCRAM-SHA-256', false)), "\n";
echo 'response: ', implode(' ', $smtp->getResponse()), "\n";
$smtp->disconnect();

echo "-- scripted server (RFC 7677 user/pencil)\n";
function scripted(string $label, array $steps): void
{
    echo "$label\n";
    $srv = sqauth_fake_server($steps);
    $log = [];
    $smtp = smtp('127.0.0.1', $srv['port'], null, $log);
    ScramAuth::register($smtp, ['cnonce' => SQAUTH_RFC7677_CNONCE]);
    echo 'connect: ', ok($smtp->connect()), "\n";
    echo 'auth: ', ok($smtp->auth('user', 'pencil', '', false)), "\n";
    $smtp->disconnect();   // a no-op where auth() has already closed the connection
    echo 'server got: ', sqauth_contrib_received(sqauth_fake_server_finish($srv)), "\n";
}
scripted('wrong server signature', array_merge(
    sqauth_contrib_scram_script('SCRAM-SHA-256 SCRAM-SHA-1 PLAIN', '334 ' . base64_encode('v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=')),
    [['expect', "*\r\n"], ['send', "501 5.5.4 cancelled\r\n"], ['expect', "QUIT\r\n"], ['send', "221 bye\r\n"], ['drain', 5]]));
scripted('235 without a server signature', array_merge(
    sqauth_contrib_scram_script('SCRAM-SHA-256 PLAIN', '235 2.7.0 ok'),
    [['expect', "QUIT\r\n"], ['send', "221 bye\r\n"], ['drain', 5]]));
scripted('SCRAM e=: refused, the connection stays open', array_merge(
    sqauth_contrib_scram_script('SCRAM-SHA-256 PLAIN', '334 ' . base64_encode('e=invalid-proof')),
    [['expect', "*\r\n"], ['send', "501 5.5.4 cancelled\r\n"], ['expect', "QUIT\r\n"], ['send', "221 bye\r\n"], ['drain', 5]]));
scripted('the right server signature', array_merge(
    sqauth_contrib_scram_script('SCRAM-SHA-256 PLAIN', '334 ' . base64_encode(SQAUTH_RFC7677_SERVER_FINAL)),
    [['expect', "\r\n"], ['send', "235 2.7.0 ok\r\n"], ['expect', "QUIT\r\n"], ['send', "221 bye\r\n"], ['drain', 5]]));

echo "-- no -PLUS\n";
try {
    new ScramAuth('SCRAM-SHA-256-PLUS');
} catch (InvalidArgumentException $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
?>
--EXPECT--
submission STARTTLS, best method: all steps true, AUTH SCRAM-SHA-256, STARTTLS yes, password in the debug log: no, in INBOX: yes
submission STARTTLS, SCRAM-SHA-1: all steps true, AUTH SCRAM-SHA-1, STARTTLS yes, password in the debug log: no, in INBOX: yes
submissions (implicit TLS), best method: all steps true, AUTH SCRAM-SHA-256, STARTTLS no, password in the debug log: no, in INBOX: yes
submissions (implicit TLS), SCRAM-SHA-1: all steps true, AUTH SCRAM-SHA-1, STARTTLS no, password in the debug log: no, in INBOX: yes
-- a wrong password
PEAR_Error (535): Invalid response code received from server
response: 535 5.7.8 Authentication failed.
-- scripted server (RFC 7677 user/pencil)
wrong server signature
connect: true
auth: PEAR_Error (4): SCRAM-SHA-256: SCRAM server signature (v=) does not match: the server did not prove that it knows the password; connection closed
server got: EHLO <name> | AUTH SCRAM-SHA-256 <client-first> | <client-final> | * | QUIT
235 without a server signature
connect: true
auth: PEAR_Error (4): SCRAM-SHA-256: the server accepted the login without proving that it knows the password (no server signature); connection closed
server got: EHLO <name> | AUTH SCRAM-SHA-256 <client-first> | <client-final> | QUIT
SCRAM e=: refused, the connection stays open
connect: true
auth: PEAR_Error (5): SCRAM-SHA-256: SCRAM server error: invalid-proof
server got: EHLO <name> | AUTH SCRAM-SHA-256 <client-first> | <client-final> | * | QUIT
the right server signature
connect: true
auth: true
server got: EHLO <name> | AUTH SCRAM-SHA-256 <client-first> | <client-final> | <empty line> | QUIT
-- no -PLUS
InvalidArgumentException: SCRAM-SHA-256-PLUS is not one of SCRAM-SHA-256, SCRAM-SHA-1 (Net_SMTP does not expose the TLS channel for channel binding)
