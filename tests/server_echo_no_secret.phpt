--TEST--
A server that quotes back what the client sent during a login (the password, LOGIN's quoted argument, a SASL response in base64, whole or cut short, a bearer token) never gets it into an exception's message, server response or response code, nor into the transcript
--EXTENSIONS--
sqauth
--INI--
zend.exception_ignore_args=0
zend.exception_string_param_max_len=1000000
--FILE--
<?php
use SqAuth\Connection;

$secret = 'Hunter2-Very-Secret';
$quoted = 'Hunt"er\\2-Very-Secret';          // IMAP sends it as "Hunt\"er\\2-Very-Secret"
$token = 'SecretBearerToken123';
$plain = base64_encode("\0tim\0$secret");
$xoauth = base64_encode("user=tim\x01auth=Bearer $token\x01\x01");

/* Every form of a secret that must not show. */
function forms(string $secret): array
{
    $b64 = base64_encode($secret);
    return [$secret, $b64, substr($b64, 0, 12), addcslashes($secret, '"\\'), base64_encode("\0tim\0$secret"),
            substr(base64_encode("\0tim\0$secret"), 0, 20), substr(base64_encode("\0tim\0$secret"), 8, 16)];
}

/* $server: what the server says, all of it written before the client speaks. */
function run(string $what, string $protocol, #[\SensitiveParameter] string $server,
             #[\SensitiveParameter] callable $login,
             #[\SensitiveParameter] array $secrets): void
{
    [$a, $b] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, 0);
    fwrite($b, $server);
    $c = Connection::fromStream($a, $protocol, ['tls' => 'none', 'transcript' => true, 'timeout' => 5]);
    try {
        $login($c);
        echo "$what: no exception\n";
        return;
    } catch (SqAuth\Exception $e) {
        $shown = [$e->getMessage(), (string)$e, var_export($e->getTrace(), true), print_r($e, true),
                  implode("\n", $c->transcript())];
        if (method_exists($e, 'getServerResponse')) {
            $shown[] = (string)$e->getServerResponse();
        }
        if (method_exists($e, 'getResponseCode')) {
            $shown[] = (string)$e->getResponseCode();
        }
        $leaks = [];
        foreach ($secrets as $s) {
            foreach (forms($s) as $form) {
                foreach ($shown as $text) {
                    if (str_contains($text, $form)) {
                        $leaks[$form] = true;
                    }
                }
            }
        }
        printf("%s: %s (%d) %s\n  %s\n", $what, get_class($e), $e->getCode(),
               $leaks ? 'LEAKS ' . implode(', ', array_keys($leaks)) : 'clean', $e->getMessage());
    }
}

$opt = ['allow_plaintext' => true];
run('IMAP LOGIN, the command echoed in NO', 'imap',
    "* OK [CAPABILITY IMAP4rev1] hi\r\nA0001 NO [AUTHENTICATIONFAILED] bad: LOGIN tim $secret\r\n",
    fn($c) => $c->login('tim', $secret, $opt), [$secret]);
run('IMAP LOGIN, the quoted argument echoed', 'imap',
    "* OK [CAPABILITY IMAP4rev1] hi\r\nA0001 NO bad: LOGIN \"tim\" \"" . addcslashes($quoted, '"\\') . "\"\r\n",
    fn($c) => $c->login('tim', $quoted, $opt), [$quoted]);
run('IMAP LOGIN, the password as an untagged line (unexpected reply)', 'imap',
    "* OK [CAPABILITY IMAP4rev1] hi\r\n$secret is wrong\r\n",
    fn($c) => $c->login('tim', $secret, $opt), [$secret]);
run('IMAP PLAIN, the response echoed in NO', 'imap',
    "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] hi\r\nA0001 NO [AUTHENTICATIONFAILED] bad: AUTHENTICATE PLAIN $plain\r\n",
    fn($c) => $c->authenticate('PLAIN', 'tim', $secret, $opt), [$secret]);
run('IMAP PLAIN, the response cut short and in the response code', 'imap',
    "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] hi\r\nA0001 NO [" . substr($plain, 0, 24) . "] bad: "
    . substr($plain, 4, 20) . "\r\n",
    fn($c) => $c->authenticate('PLAIN', 'tim', $secret, $opt), [$secret]);
run('IMAP PLAIN, the response echoed in BAD after a long text (the message cuts it)', 'imap',
    "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] hi\r\nA0001 BAD " . str_repeat('x', 140) . " $plain\r\n",
    fn($c) => $c->authenticate('PLAIN', 'tim', $secret, $opt), [$secret]);
run('IMAP LOGIN, the password where the message cuts the line', 'imap',
    "* OK [CAPABILITY IMAP4rev1] hi\r\n" . str_repeat('y', 190) . " $secret\r\n",
    fn($c) => $c->login('tim', $secret, $opt), [$secret]);
run('IMAP XOAUTH2, the token echoed', 'imap',
    "* OK [CAPABILITY IMAP4rev1 AUTH=XOAUTH2 SASL-IR] hi\r\nA0001 NO bad token $token ($xoauth)\r\n",
    fn($c) => $c->authenticate('XOAUTH2', 'tim', '', $opt + ['token' => $token]), [$token]);
run('SMTP PLAIN, the command echoed in 535', 'smtp',
    "220 hi\r\n250-hi\r\n250 AUTH PLAIN LOGIN\r\n535-5.7.8 you said\r\n535 5.7.8 AUTH PLAIN $plain\r\n",
    fn($c) => $c->authenticate('PLAIN', 'tim', $secret, $opt), [$secret]);
run('SMTP LOGIN, the password step echoed in 535', 'smtp',
    "220 hi\r\n250-hi\r\n250 AUTH LOGIN\r\n334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n535 5.7.8 " . base64_encode($secret) . " is wrong\r\n",
    fn($c) => $c->authenticate('LOGIN', 'tim', $secret, $opt), [$secret]);
run('POP3 USER/PASS, the password echoed in -ERR', 'pop3',
    "+OK hi\r\n-ERR no CAPA\r\n+OK user\r\n-ERR [AUTH] PASS $secret rejected\r\n",
    fn($c) => $c->login('tim', $secret, $opt), [$secret]);

// the server's other words are still there
[$a, $b] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, 0);
fwrite($b, "* OK [CAPABILITY IMAP4rev1] hi\r\nA0001 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
try {
    Connection::fromStream($a, 'imap', ['tls' => 'none'])->login('tim', $secret, $opt);
} catch (SqAuth\AuthenticationException $e) {
    echo $e->getMessage(), "\n", $e->getServerResponse(), "\n", $e->getResponseCode(), "\n";
}
?>
--EXPECTF--
IMAP LOGIN, the command echoed in NO: SqAuth\AuthenticationException (16) clean
  the server refused the login: A0001 NO [AUTHENTICATIONFAILED] bad: LOGIN tim <redacted>
IMAP LOGIN, the quoted argument echoed: SqAuth\AuthenticationException (16) clean
  the server refused the login: A0001 NO bad: LOGIN "tim" "<redacted>"
IMAP LOGIN, the password as an untagged line (unexpected reply): SqAuth\ProtocolException (15) clean
  unexpected IMAP reply during authentication: <redacted> is wrong
IMAP PLAIN, the response echoed in NO: SqAuth\AuthenticationException (16) clean
  the server refused the PLAIN login: A0001 NO [AUTHENTICATIONFAILED] bad: AUTHENTICATE PLAIN <redacted>
IMAP PLAIN, the response cut short and in the response code: SqAuth\AuthenticationException (16) clean
  the server refused the PLAIN login: A0001 NO [<redacted>] bad: <redacted>
IMAP PLAIN, the response echoed in BAD after a long text (the message cuts it): SqAuth\AuthenticationException (16) clean
  the server refused the PLAIN login: A0001 BAD %s <redacted
IMAP LOGIN, the password where the message cuts the line: SqAuth\ProtocolException (15) clean
  unexpected IMAP reply during authentication: %s <redacted>
IMAP XOAUTH2, the token echoed: SqAuth\AuthenticationException (16) clean
  the server refused the XOAUTH2 login: A0001 NO bad token <redacted> (<redacted>)
SMTP PLAIN, the command echoed in 535: SqAuth\AuthenticationException (16) clean
  the server refused the PLAIN login: 535-5.7.8 you said\x0a535 5.7.8 AUTH PLAIN <redacted>
SMTP LOGIN, the password step echoed in 535: SqAuth\AuthenticationException (16) clean
  the server refused the LOGIN login: 535 5.7.8 <redacted> is wrong
POP3 USER/PASS, the password echoed in -ERR: SqAuth\AuthenticationException (16) clean
  the server refused the login: -ERR [AUTH] PASS <redacted> rejected
the server refused the login: A0001 NO [AUTHENTICATIONFAILED] Authentication failed.
A0001 NO [AUTHENTICATIONFAILED] Authentication failed.
AUTHENTICATIONFAILED
