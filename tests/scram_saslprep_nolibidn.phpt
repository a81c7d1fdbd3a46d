--TEST--
SCRAM without libidn: ASCII credentials work, non-ASCII ones are refused with a clear message
--EXTENSIONS--
sqauth
--SKIPIF--
<?php if (SqAuth\features()['saslprep']) die('skip only for builds without libidn'); ?>
--FILE--
<?php
foreach ([["us\u{00E9}r", 'pencil'], ['user', "p\u{00E4}ss"]] as [$user, $password]) {
    $c = new SqAuth\SaslClient('SCRAM-SHA-256', ['authcid' => $user, 'password' => $password],
                               ['cnonce' => 'rOprNGfwEbeRWgbNEkqO']);
    try {
        echo $c->start(), "\n";
        echo $c->step('r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096'), "\n";
    } catch (SqAuth\SaslException $e) {
        echo get_class($e), ' ', $e->getCode(), ': ', $e->getMessage(), "\n";
    }
}
?>
--EXPECT--
SqAuth\SaslException 6: SASLprep of non-ASCII SCRAM credentials needs libidn; rebuild sqauth with libidn
n,,n=user,r=rOprNGfwEbeRWgbNEkqO
SqAuth\SaslException 6: SASLprep of non-ASCII SCRAM credentials needs libidn; rebuild sqauth with libidn
