--TEST--
SCRAM-SHA-1 (RFC 5802 §5) and SCRAM-SHA-256 (RFC 7677 §3) through SaslClient
--EXTENSIONS--
sqauth
--FILE--
<?php
function run(string $mech, string $cnonce, string $serverFirst, string $serverFinal) {
    $c = new SqAuth\SaslClient($mech, ['authcid' => 'user', 'password' => 'pencil'], ['cnonce' => $cnonce]);
    echo $c->mechanism(), "\n";
    var_dump($c->start());
    var_dump($c->step($serverFirst));
    var_dump($c->isComplete(), $c->isServerVerified());
    var_dump($c->step($serverFinal));
    var_dump($c->isComplete(), $c->isServerVerified(), $c->securityLayer(), $c->serverError());
    try {
        $c->step($serverFinal);
    } catch (SqAuth\SaslException $e) {
        echo get_class($e), ' ', $e->getCode(), ': ', $e->getMessage(), "\n";
    }
}
run('SCRAM-SHA-1', 'fyko+d2lbbFgONRv9qkxdawL',
    'r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096',
    'v=rmF9pqV8S7suAoZWja4dJRkFsKQ=');
run('scram-sha-256', 'rOprNGfwEbeRWgbNEkqO',
    'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
    'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');

// Without a fixed cnonce: 32 random base64 characters, new for every client.
$a = (new SqAuth\SaslClient('SCRAM-SHA-256', ['authcid' => 'user', 'password' => 'pencil']))->start();
$b = (new SqAuth\SaslClient('SCRAM-SHA-256', ['authcid' => 'user', 'password' => 'pencil']))->start();
var_dump((bool)preg_match('~^n,,n=user,r=[A-Za-z0-9+/]{32}$~', $a), $a !== $b);
?>
--EXPECT--
SCRAM-SHA-1
string(36) "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL"
string(82) "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts="
bool(false)
bool(false)
string(0) ""
bool(true)
bool(true)
NULL
NULL
SqAuth\SaslException 7: the SCRAM-SHA-1 exchange is already complete; the server sent an unexpected challenge
SCRAM-SHA-256
string(32) "n,,n=user,r=rOprNGfwEbeRWgbNEkqO"
string(106) "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
bool(false)
bool(false)
string(0) ""
bool(true)
bool(true)
NULL
NULL
SqAuth\SaslException 7: the SCRAM-SHA-256 exchange is already complete; the server sent an unexpected challenge
bool(true)
bool(true)
