--TEST--
PLAIN (RFC 4616): the vectors.md example, authzid, no challenge expected
--EXTENSIONS--
sqauth
--FILE--
<?php
$c = new SqAuth\SaslClient('PLAIN', ['authcid' => 'tim', 'password' => 'tanstaaftanstaaf']);
var_dump($c->mechanism(), $c->isComplete());
echo base64_encode($c->start()), "\n";
var_dump($c->isComplete(), $c->isServerVerified(), $c->securityLayer());

$c = new SqAuth\SaslClient('plain', ['authcid' => 'tim', 'password' => 'pw', 'authzid' => 'admin']);
var_dump($c->mechanism(), bin2hex($c->start()));
try {
    $c->step('');
} catch (SqAuth\SaslException $e) {
    echo get_class($e), ' ', $e->getCode(), ': ', $e->getMessage(), "\n";
}
$c = new SqAuth\SaslClient('PLAIN', ['authcid' => 'tim', 'password' => 'pw']);
try {
    $c->step('');
} catch (SqAuth\SaslException $e) {
    echo get_class($e), ' ', $e->getCode(), ': ', $e->getMessage(), "\n";
}
?>
--EXPECT--
string(5) "PLAIN"
bool(false)
AHRpbQB0YW5zdGFhZnRhbnN0YWFm
bool(true)
bool(false)
NULL
string(5) "PLAIN"
string(24) "61646d696e0074696d007077"
SqAuth\SaslException 7: the PLAIN exchange is already complete; the server sent an unexpected challenge
SqAuth\SaslException 7: PLAIN sends the first message: call start() first
