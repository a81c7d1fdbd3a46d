--TEST--
EXTERNAL (RFC 4422 appendix A): empty and non-empty authzid as initial response
--EXTENSIONS--
sqauth
--FILE--
<?php
$c = new SqAuth\SaslClient('EXTERNAL', []);
var_dump($c->start(), $c->isComplete());
$c = new SqAuth\SaslClient('external', ['authzid' => 'admin']);
var_dump($c->mechanism(), $c->start());
try {
    $c->step('');
} catch (SqAuth\SaslException $e) {
    echo get_class($e), ' ', $e->getCode(), "\n";
}
?>
--EXPECT--
string(0) ""
bool(true)
string(8) "EXTERNAL"
string(5) "admin"
SqAuth\SaslException 7
