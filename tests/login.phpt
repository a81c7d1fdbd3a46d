--TEST--
LOGIN: user name then password, prompts not interpreted; no initial response
--EXTENSIONS--
sqauth
--FILE--
<?php
$c = new SqAuth\SaslClient('LOGIN', ['authcid' => 'tim', 'password' => 'secret']);
var_dump($c->start());
var_dump($c->step('Username:'), $c->isComplete());
var_dump($c->step('Password:'), $c->isComplete(), $c->isServerVerified());
try {
    $c->step('more?');
} catch (SqAuth\SaslException $e) {
    echo get_class($e), ' ', $e->getCode(), "\n";
}
// step() without start() is fine for server-first mechanisms
$c = new SqAuth\SaslClient('LOGIN', ['authcid' => 'u', 'password' => 'p']);
var_dump($c->step('VXNlcm5hbWU6'));
?>
--EXPECT--
NULL
string(3) "tim"
bool(false)
string(6) "secret"
bool(true)
bool(false)
SqAuth\SaslException 7
string(1) "u"
