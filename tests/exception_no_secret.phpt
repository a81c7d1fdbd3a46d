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
