--TEST--
SCRAM: user name escaping, authzid, -PLUS channel binding, iteration limits
--EXTENSIONS--
sqauth
--FILE--
<?php
const SF256 = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';
const SF1 = 'r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096';
function run(string $mech, array $cred, array $opt, string $serverFirst, string $serverFinal) {
    try {
        $c = new SqAuth\SaslClient($mech, $cred, $opt);
        echo $c->start(), "\n";
        echo $c->step($serverFirst), "\n";
        var_dump($c->step($serverFinal), $c->isServerVerified());
    } catch (Throwable $e) {
        echo get_class($e), ' ', $e->getCode(), ': ', $e->getMessage(), "\n";
    }
}
$cb = implode('', array_map('chr', range(0, 31)));

echo "-- ',' and '=' escaped in user name and authzid, authzid in c=\n";
run('SCRAM-SHA-256', ['authcid' => 'a,b=c', 'password' => 'pencil', 'authzid' => 'ad=min,x'],
    ['cnonce' => 'rOprNGfwEbeRWgbNEkqO'], SF256, 'v=Je/Gb1xGZXNQ0II4T7GmEVKkLvEZqbgRsx6+50cvJlU=');
var_dump(base64_decode('bixhPWFkPTNEbWluPTJDeCw='));

echo "-- empty authzid means none\n";
run('SCRAM-SHA-256', ['authcid' => 'user', 'password' => 'pencil', 'authzid' => ''],
    ['cnonce' => 'rOprNGfwEbeRWgbNEkqO'], SF256, 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');

echo "-- SCRAM-SHA-256-PLUS, tls-exporter\n";
run('SCRAM-SHA-256-PLUS', ['authcid' => 'user', 'password' => 'pencil'],
    ['cnonce' => 'rOprNGfwEbeRWgbNEkqO', 'channel_binding' => ['type' => 'tls-exporter', 'data' => $cb]],
    SF256, 'v=2GiAgapEppLVlUXbxUDksL3VgYHzuqiK5tR4mhJGgvs=');
var_dump(base64_decode('cD10bHMtZXhwb3J0ZXIsLAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f') === "p=tls-exporter,," . $cb);

echo "-- SCRAM-SHA-1-PLUS, tls-server-end-point, authzid\n";
run('SCRAM-SHA-1-PLUS', ['authcid' => 'user', 'password' => 'pencil', 'authzid' => 'admin'],
    ['cnonce' => 'fyko+d2lbbFgONRv9qkxdawL', 'channel_binding' => ['type' => 'tls-server-end-point', 'data' => $cb]],
    SF1, 'v=ki6/3Q8ZBWQ7wxpHygHaQuXYqUQ=');

echo "-- bad channel binding\n";
run('SCRAM-SHA-256-PLUS', ['authcid' => 'user', 'password' => 'pencil'],
    ['channel_binding' => ['type' => 'tls exporter', 'data' => $cb]], SF256, '');
run('SCRAM-SHA-256-PLUS', ['authcid' => 'user', 'password' => 'pencil'],
    ['channel_binding' => ['type' => 'tls-exporter', 'data' => '']], SF256, '');
// the -PLUS signature does not verify a plain exchange
run('SCRAM-SHA-256', ['authcid' => 'user', 'password' => 'pencil'],
    ['cnonce' => 'rOprNGfwEbeRWgbNEkqO'], SF256, 'v=2GiAgapEppLVlUXbxUDksL3VgYHzuqiK5tR4mhJGgvs=');

echo "-- min_iterations lowered\n";
run('SCRAM-SHA-256', ['authcid' => 'user', 'password' => 'pencil'],
    ['cnonce' => 'rOprNGfwEbeRWgbNEkqO', 'min_iterations' => 1],
    'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1',
    'v=XjTu3KBABgY/OKnhaQwxJb9Vbt2Fj1v+lPuMzeAcqSk=');

echo "-- bad credentials and options\n";
run('SCRAM-SHA-1', ['authcid' => '', 'password' => 'pencil'], [], SF1, '');
run('SCRAM-SHA-1', ['authcid' => "us\x07er", 'password' => 'pencil'], [], SF1, '');
run('SCRAM-SHA-1', ['authcid' => 'user', 'password' => "pen\x7fcil"], ['cnonce' => 'fyko+d2lbbFgONRv9qkxdawL'], SF1, '');
run('SCRAM-SHA-1', ['authcid' => 'user', 'password' => 'pencil', 'authzid' => "\xff"], [], SF1, '');
run('SCRAM-SHA-1', ['authcid' => 'user', 'password' => 'pencil'], ['cnonce' => 'a,b'], SF1, '');
run('SCRAM-SHA-1', ['authcid' => 'user'], [], SF1, '');
?>
--EXPECT--
-- ',' and '=' escaped in user name and authzid, authzid in c=
n,a=ad=3Dmin=2Cx,n=a=2Cb=3Dc,r=rOprNGfwEbeRWgbNEkqO
c=bixhPWFkPTNEbWluPTJDeCw=,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=SZY8E62hLJxnRzvg0dIEUTV7crOXMRoLvRaWZIHnNZc=
string(0) ""
bool(true)
string(17) "n,a=ad=3Dmin=2Cx,"
-- empty authzid means none
n,,n=user,r=rOprNGfwEbeRWgbNEkqO
c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=
string(0) ""
bool(true)
-- SCRAM-SHA-256-PLUS, tls-exporter
p=tls-exporter,,n=user,r=rOprNGfwEbeRWgbNEkqO
c=cD10bHMtZXhwb3J0ZXIsLAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=QC6CS20quADQRb3mT99YUH+n3VJxUvzuK0K0E1Vrs2M=
string(0) ""
bool(true)
bool(true)
-- SCRAM-SHA-1-PLUS, tls-server-end-point, authzid
p=tls-server-end-point,a=admin,n=user,r=fyko+d2lbbFgONRv9qkxdawL
c=cD10bHMtc2VydmVyLWVuZC1wb2ludCxhPWFkbWluLAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=R+Gu6Raqr+H/DIMgfVGMh3ivLn8=
string(0) ""
bool(true)
-- bad channel binding
SqAuth\SaslException 2: SCRAM-SHA-256-PLUS: channel-binding type must be a name such as "tls-exporter" or "tls-server-end-point"
SqAuth\SaslException 2: SCRAM-SHA-256-PLUS: channel-binding data is empty
n,,n=user,r=rOprNGfwEbeRWgbNEkqO
c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=
SqAuth\SaslException 4: SCRAM server signature (v=) does not match: the server did not prove that it knows the password
-- min_iterations lowered
n,,n=user,r=rOprNGfwEbeRWgbNEkqO
c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=0HpZtX/KXXa0ywYK4tj43Y2SHpuAk6sib0z2ZmNk22Y=
string(0) ""
bool(true)
-- bad credentials and options
SqAuth\SaslException 2: SCRAM-SHA-1 needs a non-empty user name
SqAuth\SaslException 10: SASLprep of the user name failed: it contains a prohibited character
n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL
SqAuth\SaslException 10: SASLprep of the password failed: it contains a prohibited character
SqAuth\SaslException 10: SCRAM-SHA-1: the authzid is not valid UTF-8
SqAuth\SaslException 2: SCRAM-SHA-1: the client nonce must be non-empty printable ASCII without ','
SqAuth\SaslException 2: SCRAM-SHA-1 needs the credentials 'authcid' and 'password'
