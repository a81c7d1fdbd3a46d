--TEST--
OAUTHBEARER (RFC 7628 §4.1, §4.3) and XOAUTH2: initial response, JSON error challenge answered and reported
--EXTENSIONS--
sqauth
--FILE--
<?php
$c = new SqAuth\SaslClient('OAUTHBEARER',
    ['authzid' => 'user@example.com', 'token' => 'vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg=='],
    ['host' => 'server.example.com', 'port' => 143]);
var_dump(str_replace("\x01", '^A', $c->start()));
var_dump($c->serverError());
$json = '{"status":"invalid_token","scope":"example_scope","openid-configuration":"https://example.com/.well-known/openid-configuration"}';
var_dump(bin2hex($c->step($json)));
var_dump($c->isComplete(), $c->isServerVerified());
var_dump(json_decode($c->serverError(), true)['status']);

$c = new SqAuth\SaslClient('XOAUTH2', ['authcid' => 'someuser@example.com', 'token' => 'ya29.vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg']);
var_dump(str_replace("\x01", '^A', $c->start()));
var_dump($c->step('{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}'));
var_dump($c->serverError());

foreach ([
    ['XOAUTH2', ['authcid' => 'u', 'token' => "abc\x01auth=Bearer x"]],
    ['XOAUTH2', ['authcid' => 'u', 'token' => 'a b']],
    ['OAUTHBEARER', ['authcid' => "u\x01x", 'token' => 'abc']],
    ['XOAUTH2', ['token' => 'abc']],
] as [$mech, $cred]) {
    try {
        $c = new SqAuth\SaslClient($mech, $cred);
        $c->start();
        echo "no exception\n";
    } catch (SqAuth\SaslException $e) {
        echo get_class($e), ' ', $e->getCode(), ': ', $e->getMessage(), "\n";
    }
}
try {
    new SqAuth\SaslClient('OAUTHBEARER', ['authcid' => 'u']);
} catch (SqAuth\SaslException $e) {
    echo get_class($e), ' ', $e->getCode(), ': ', $e->getMessage(), "\n";
}
?>
--EXPECT--
string(116) "n,a=user@example.com,^Ahost=server.example.com^Aport=143^Aauth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==^A^A"
NULL
string(2) "01"
bool(true)
bool(false)
string(13) "invalid_token"
string(88) "user=someuser@example.com^Aauth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg^A^A"
string(0) ""
string(70) "{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}"
SqAuth\SaslException 2: XOAUTH2: the token is not a valid RFC 6750 bearer token
SqAuth\SaslException 2: XOAUTH2: the token is not a valid RFC 6750 bearer token
SqAuth\SaslException 2: OAUTHBEARER: user name, authzid and host must not contain \x01
SqAuth\SaslException 2: XOAUTH2 needs the credential 'authcid'
SqAuth\SaslException 2: OAUTHBEARER needs the credential 'token'
