--TEST--
DIGEST-MD5 layer negotiation against Cyrus SASL: qop/cipher the server lacks (SaslException 9), realms, wrong password, SaslClient::securityLayer()
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
use SqAuth\SaslClient;
$env = require __DIR__ . '/env.inc';
require __DIR__ . '/layer.inc';
$user = $env['SQAUTH_TEST_USER'];
$pass = $env['SQAUTH_TEST_PASS'];

function try_auth(array $env, string $name, string $user, string $pass, array $opts): void
{
    $c = layer_open($env, $name);
    try {
        $c->authenticate('DIGEST-MD5', $user, $pass, $opts);
        echo "$name ", json_encode($opts), ": ok ", json_encode($c->securityLayer()), "\n";
    } catch (SqAuth\Exception $e) {
        echo "$name ", json_encode($opts), ": ", sqauth_describe($e), "\n";
        if ($e instanceof SqAuth\AuthenticationException) {
            echo "  response code ", var_export($e->getResponseCode(), true), ", server: ", var_export($e->getServerResponse(), true), "\n";
        }
        echo "  layer after the failure: ", var_export($c->securityLayer(), true), "\n";
    }
}

echo "-- qop / cipher the server does not offer\n";
try_auth($env, 'AUTHCONF', $user, $pass, ['qop' => ['auth']]);          // auth-conf only
try_auth($env, 'WEAK', $user, $pass, ['cipher' => 'rc4']);              // max SSF 56: rc4-40, rc4-56, des
try_auth($env, 'AUTHINT', $user, $pass, ['qop' => ['auth-conf']]);
try_auth($env, 'AUTH', $user, $pass, ['qop' => ['auth-conf', 'auth-int']]);

echo "-- realms: AUTH offers a.example and b.example\n";
try_auth($env, 'AUTH', $user, $pass, []);
try_auth($env, 'AUTH', $env['SQAUTH_TEST_REALM2_USER'], $env['SQAUTH_TEST_REALM2_PASS'], ['realm' => 'b.example']);
try_auth($env, 'AUTHCONF', $env['SQAUTH_TEST_REALM2_USER'], $env['SQAUTH_TEST_REALM2_PASS'], ['realm' => 'b.example']);
try_auth($env, 'AUTH', $env['SQAUTH_TEST_REALM2_USER'], $env['SQAUTH_TEST_REALM2_PASS'], []);  // lands in a.example
try_auth($env, 'AUTH', $env['SQAUTH_TEST_REALM2_USER'], $env['SQAUTH_TEST_REALM2_PASS'], ['realm' => 'c.example']);
// after the client-side refusal (cancelled with "*") the same connection can log in
$c = layer_open($env, 'AUTHINT');
try {
    $c->authenticate('DIGEST-MD5', $user, $pass, ['realm' => 'c.example']);
} catch (SqAuth\SaslException $e) {
    echo sqauth_describe($e), "\n";
}
$c->authenticate('DIGEST-MD5', $user, $pass, ['realm' => 'a.example']);
echo "retry on the same connection: ", json_encode($c->securityLayer()), "\n";
echo layer_echo($c->stream(), "x\r\n\0y", [5]), "\n";

echo "-- wrong password, unknown user\n";
try_auth($env, 'AUTHCONF', $user, 'wrong', []);
try_auth($env, 'ALL', 'nosuchuser', $pass, []);

echo "-- SaslClient::securityLayer() over a raw socket\n";
function sc_login(array $env, string $name, array $opts): void
{
    $fp = stream_socket_client('tcp://127.0.0.1:' . $env["SQAUTH_TEST_CYRUS_{$name}_PORT"], $errno, $errstr, 5);
    stream_set_timeout($fp, 5);
    fgets($fp);
    fwrite($fp, "a AUTHENTICATE DIGEST-MD5\r\n");
    $cl = new SaslClient('DIGEST-MD5', ['authcid' => $env['SQAUTH_TEST_USER'], 'password' => $env['SQAUTH_TEST_PASS']],
                         $opts + ['service' => 'imap', 'host' => '127.0.0.1']);
    $err = '';
    while (($line = rtrim((string)fgets($fp), "\r\n")) !== '' && $line[0] === '+') {
        try {
            fwrite($fp, base64_encode($cl->step(base64_decode(substr($line, 2)))) . "\r\n");
        } catch (SqAuth\SaslException $e) {
            $err = ' (' . sqauth_describe($e) . ')';
            fwrite($fp, "*\r\n");
        }
    }
    echo "$name ", json_encode($opts), ": $line$err; complete ", var_export($cl->isComplete(), true),
         ", layer ", var_export($cl->securityLayer(), true), "\n";
    fclose($fp);
}
sc_login($env, 'AUTH', []);
sc_login($env, 'AUTHINT', ['qop' => ['auth-int']]);
sc_login($env, 'AUTHCONF', ['qop' => ['auth-conf'], 'cipher' => 'rc4-40']);
sc_login($env, 'ALL', []);                                              // SaslClient's default: auth only
sc_login($env, 'ALL', ['qop' => ['auth-conf', 'auth-int', 'auth']]);
sc_login($env, 'AUTHINT', []);
?>
--EXPECT--
-- qop / cipher the server does not offer
AUTHCONF {"qop":["auth"]}: SqAuth\SaslException (9): DIGEST-MD5: the server offers none of the requested qop (qop="auth-conf", cipher="rc4-40,rc4-56,rc4,des,3des" (we know rc4, 3des, des, rc4-56, rc4-40); requested: auth)
  layer after the failure: NULL
WEAK {"cipher":"rc4"}: SqAuth\SaslException (9): DIGEST-MD5: the server does not offer the cipher "rc4" asked for in the option 'cipher' (offered: cipher="rc4-40,rc4-56,des")
  layer after the failure: NULL
AUTHINT {"qop":["auth-conf"]}: SqAuth\SaslException (9): DIGEST-MD5: the server offers none of the requested qop (qop="auth-int"; requested: auth-conf)
  layer after the failure: NULL
AUTH {"qop":["auth-conf","auth-int"]}: SqAuth\SaslException (9): DIGEST-MD5: the server offers none of the requested qop (qop="auth"; requested: auth-conf auth-int)
  layer after the failure: NULL
-- realms: AUTH offers a.example and b.example
AUTH []: ok null
AUTH {"realm":"b.example"}: ok null
AUTHCONF {"realm":"b.example"}: ok {"mechanism":"DIGEST-MD5","qop":"auth-conf","cipher":"rc4","maxbuf_send":65536,"maxbuf_receive":65536}
AUTH []: SqAuth\AuthenticationException (16): the server refused the DIGEST-MD5 login: A0001 NO [AUTHENTICATIONFAILED] authentication failed
  response code 'AUTHENTICATIONFAILED', server: 'A0001 NO [AUTHENTICATIONFAILED] authentication failed'
  layer after the failure: NULL
AUTH {"realm":"c.example"}: SqAuth\SaslException (2): DIGEST-MD5 realm "c.example" is not offered by the server (offered: "a.example", "b.example")
  layer after the failure: NULL
SqAuth\SaslException (2): DIGEST-MD5 realm "c.example" is not offered by the server (offered: "a.example", "b.example")
retry on the same connection: {"mechanism":"DIGEST-MD5","qop":"auth-int","cipher":null,"maxbuf_send":65536,"maxbuf_receive":65536}
ok sent 5, echoed 5
-- wrong password, unknown user
AUTHCONF []: SqAuth\AuthenticationException (16): the server refused the DIGEST-MD5 login: A0001 NO [AUTHENTICATIONFAILED] authentication failed
  response code 'AUTHENTICATIONFAILED', server: 'A0001 NO [AUTHENTICATIONFAILED] authentication failed'
  layer after the failure: NULL
ALL []: SqAuth\AuthenticationException (16): the server refused the DIGEST-MD5 login: A0001 NO [AUTHENTICATIONFAILED] authentication failed
  response code 'AUTHENTICATIONFAILED', server: 'A0001 NO [AUTHENTICATIONFAILED] authentication failed'
  layer after the failure: NULL
-- SaslClient::securityLayer() over a raw socket
AUTH []: a OK authenticated; complete true, layer NULL
AUTHINT {"qop":["auth-int"]}: a OK authenticated; complete true, layer 'auth-int'
AUTHCONF {"qop":["auth-conf"],"cipher":"rc4-40"}: a OK authenticated; complete true, layer 'auth-conf'
ALL []: a OK authenticated; complete true, layer NULL
ALL {"qop":["auth-conf","auth-int","auth"]}: a OK authenticated; complete true, layer 'auth-conf'
AUTHINT []: a BAD cancelled (SqAuth\SaslException (9): DIGEST-MD5: the server offers none of the requested qop (qop="auth-int"; requested: auth)); complete false, layer NULL
