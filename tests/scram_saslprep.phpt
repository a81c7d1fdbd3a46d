--TEST--
SCRAM: SASLprep (RFC 4013 §3 examples) of user name and password, with libidn
--EXTENSIONS--
sqauth
--SKIPIF--
<?php if (!SqAuth\features()['saslprep']) die('skip needs libidn'); ?>
--FILE--
<?php
const SF256 = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';
function run(string $user, string $password) {
    try {
        $c = new SqAuth\SaslClient('SCRAM-SHA-256', ['authcid' => $user, 'password' => $password],
                                   ['cnonce' => 'rOprNGfwEbeRWgbNEkqO']);
        echo $c->start(), "\n";
        echo $c->step(SF256), "\n";
        var_dump($c->step('v=tM2SzadWGZTG39508QZYsrn+PxytTT7KopjMeOdTFNM='), $c->isServerVerified());
    } catch (Throwable $e) {
        echo get_class($e), ' ', $e->getCode(), ': ', $e->getMessage(), "\n";
    }
}
// "I<SOFT HYPHEN>X" -> "IX" (mapped to nothing), U+2168 ROMAN NUMERAL NINE -> "IX" (NFKC):
// the same exchange as user "IX" with password "IX".
run("I\u{00AD}X", "\u{2168}");
run('IX', 'IX');
// U+00AA FEMININE ORDINAL INDICATOR -> "a"
$c = new SqAuth\SaslClient('SCRAM-SHA-1', ['authcid' => "\u{00AA}", 'password' => 'x'], ['cnonce' => 'abc']);
echo $c->start(), "\n";
// prohibited character, bidi rule, invalid UTF-8
run("us\u{0007}er", 'x');
run('user', "\u{0627}1");
run('user', "p\u{2028}w");
run("\xC3\x28", 'x');
run('user', "\xED\xA0\x80");
?>
--EXPECT--
n,,n=IX,r=rOprNGfwEbeRWgbNEkqO
c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=KXUpmrU95hRG3fDAwV49Q0DP8IatOKmV+Q8QxH36g20=
string(0) ""
bool(true)
n,,n=IX,r=rOprNGfwEbeRWgbNEkqO
c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=KXUpmrU95hRG3fDAwV49Q0DP8IatOKmV+Q8QxH36g20=
string(0) ""
bool(true)
n,,n=a,r=abc
SqAuth\SaslException 10: SASLprep of the user name failed: it contains a prohibited character
n,,n=user,r=rOprNGfwEbeRWgbNEkqO
SqAuth\SaslException 10: SASLprep of the password failed: it breaks the bidirectional text rules (RFC 3454 section 6)
n,,n=user,r=rOprNGfwEbeRWgbNEkqO
SqAuth\SaslException 10: SASLprep of the password failed: it contains a prohibited character
SqAuth\SaslException 10: SASLprep of the user name failed: it is not valid UTF-8
n,,n=user,r=rOprNGfwEbeRWgbNEkqO
SqAuth\SaslException 10: SASLprep of the password failed: it is not valid UTF-8
