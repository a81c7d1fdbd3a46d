--TEST--
Passwords and tokens never appear in an exception's message, string form or trace
--EXTENSIONS--
sqauth
--INI--
zend.exception_ignore_args=0
zend.exception_string_param_max_len=1000000
--FILE--
<?php
$secret = 'Hunter2-Very-Secret';
$token = 'SecretBearerToken123';
$calls = [
    fn() => SqAuth\cram_md5_response('tim', $secret, 'not base64!'),
    fn() => SqAuth\cram_md5_response('tim', $secret, ''),
    fn() => SqAuth\digest_md5_response('tim', $secret, 'bm9uY2U9IngiLG5vbmNlPSJ5Ig==', 'imap', 'host'),
    fn() => SqAuth\digest_md5_response('tim', $secret, '', 'imap', 'host', '', ['bogus' => 1]),
    fn() => new SqAuth\SaslClient('NTLM', ['authcid' => 'tim', 'password' => $secret]),
    fn() => new SqAuth\SaslClient('PLAIN', ['authcid' => 'tim', 'password' => $secret], ['bogus' => 1]),
    fn() => new SqAuth\SaslClient('PLAIN', ['authcid' => "t\0m", 'password' => $secret]),
    fn() => (new SqAuth\SaslClient('XOAUTH2', ['authcid' => 'tim', 'token' => "$token\x01"]))->start(),
    function () use ($secret) {
        $c = new SqAuth\SaslClient('SCRAM-SHA-256', ['authcid' => 'tim', 'password' => $secret]);
        $c->start();
        $c->step('r=short,s=QSXCR+Q6sek8bf92,i=4096');
    },
    function () use ($secret) {
        $c = new SqAuth\SaslClient('DIGEST-MD5', ['authcid' => 'tim', 'password' => $secret], ['host' => 'h']);
        $c->step('realm="a",nonce="n",qop="auth",charset=utf-8,algorithm=md5-sess');
        $c->step('rspauth=00000000000000000000000000000000');
    },
    // authenticate() with 'token' as a callable, over a socket pair whose far end has already
    // said everything: the token refused twice (one refresh), an unusable token, a callable
    // that throws while the tokens are in flight; the transcript too
    function () use ($token) {
        $json = base64_encode('{"status":"invalid_token"}');
        [$a, $b] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, 0);
        fwrite($b, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=OAUTHBEARER] hi\r\n+ $json\r\nA0001 NO no\r\n+ $json\r\nA0002 NO no\r\n");
        $c = SqAuth\Connection::fromStream($a, 'imap', ['tls' => 'none', 'transcript' => true]);
        try {
            $c->authenticate('OAUTHBEARER', 'tim', '', ['allow_plaintext' => true,
                'token' => fn(bool $refresh) => $refresh ? "{$token}2" : $token]);
        } finally {
            $GLOBALS['transcript'] = implode("\n", $c->transcript());
            $GLOBALS['wire'] = fread($b, 100000);
        }
    },
    function () use ($token) {
        [$a, $b] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, 0);
        fwrite($b, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2] hi\r\n");
        $c = SqAuth\Connection::fromStream($a, 'imap', ['tls' => 'none', 'transcript' => true]);
        $c->authenticate('XOAUTH2', 'tim', '', ['allow_plaintext' => true, 'token' => fn(bool $refresh) => "$token\x01"]);
    },
    function () use ($token) {
        $json = base64_encode('{"status":"401"}');
        [$a, $b] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, 0);
        fwrite($b, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2] hi\r\n+ $json\r\nA0001 NO no\r\n");
        $c = SqAuth\Connection::fromStream($a, 'imap', ['tls' => 'none']);
        $c->authenticate('XOAUTH2', 'tim', '', ['allow_plaintext' => true,
            'token' => fn(bool $refresh) => $refresh ? throw new RuntimeException('refresh failed') : $token]);
    },
];
foreach ($calls as $i => $call) {
    try {
        $call();
        echo "$i: no exception\n";
    } catch (Throwable $e) {
        $all = (string)$e . var_export($e->getTrace(), true) . $e->getMessage() . print_r($e, true);
        $leak = str_contains($all, $secret) || str_contains($all, $token)
            || str_contains($all, base64_encode($secret));
        echo "$i: ", get_class($e), $leak ? ' LEAKS A SECRET' : ' clean', "\n";
    }
}
// the transcript of the refreshed login: both tokens redacted (and they did go to the server)
preg_match('/^A0002 AUTHENTICATE OAUTHBEARER (\S+)/m', $wire, $m);
var_dump(substr_count($transcript, '<redacted>'), str_contains($transcript, $token), str_contains(base64_decode($m[1]), "{$token}2"));
?>
--EXPECT--
0: SqAuth\SaslException clean
1: SqAuth\SaslException clean
2: SqAuth\SaslException clean
3: ValueError clean
4: SqAuth\SaslException clean
5: ValueError clean
6: SqAuth\SaslException clean
7: SqAuth\SaslException clean
8: SqAuth\SaslException clean
9: SqAuth\SaslException clean
10: SqAuth\AuthenticationException clean
11: SqAuth\SaslException clean
12: RuntimeException clean
int(4)
bool(false)
bool(true)
