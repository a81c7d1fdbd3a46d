--TEST--
Connection::authenticate() with 'token' as a callable, against a scripted server: one refresh on "invalid_token" or "401" and never a second (the server would take a third attempt); the error fields of the last refusal; no refresh for another status, no document or a string token; callables that throw, return no string or a bad token, or use the connection
--EXTENSIONS--
sqauth
--INI--
zend.exception_ignore_args=0
--FILE--
<?php
use SqAuth\Connection;
require __DIR__ . '/scripted.inc';

const GREETING = "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=OAUTHBEARER AUTH=XOAUTH2] fake\r\n";
const REFUSED = " NO [AUTHENTICATIONFAILED] Authentication failed.\r\n";

/* An OAuth error challenge, then the refusal, for the attempt tagged $tag. */
function refusal(string $tag, string $mech, ?array $json): array
{
    $steps = [['expect', "$tag AUTHENTICATE $mech "]];
    if ($json !== null) {
        $steps[] = ['send', '+ ' . base64_encode(json_encode($json)) . "\r\n"];
        $steps[] = ['expect', $mech === 'OAUTHBEARER' ? 'AQ==' : ''];
    }
    $steps[] = ['send', $tag . REFUSED];
    return $steps;
}

/* A token source: 'ya29.first', then 'ya29.fresh'; records each $refresh. */
function source(array &$calls): Closure
{
    return function (bool $refresh) use (&$calls) {
        $calls[] = $refresh;
        return $refresh ? 'ya29.fresh' : 'ya29.first';
    };
}

function run(string $what, array $steps, string $mech, #[\SensitiveParameter] $token, ?array &$calls = null): void
{
    echo "== $what\n";
    $srv = sqauth_fake_server(array_merge([['send', GREETING]], $steps, [['drain', 5]]));
    $c = Connection::open("imap://127.0.0.1:{$srv['port']}", ['tls' => 'none', 'transcript' => true]);
    try {
        $c->authenticate($mech, 'user@example.org', '', ['token' => $token, 'allow_plaintext' => true]);
        echo "logged in\n";
    } catch (Throwable $e) {
        echo sqauth_describe($e), "\n";
        if ($e instanceof SqAuth\AuthenticationException) {
            var_dump($e->getServerResponse(), $e->getResponseCode());
        }
        $all = (string)$e . print_r($e, true) . var_export($e->getTrace(), true) . implode("\n", $c->transcript());
        foreach (['ya29.first', 'ya29.fresh', base64_encode('auth=Bearer ya29')] as $secret) {
            if (str_contains($all, $secret)) {
                echo "LEAK of $secret\n";
            }
        }
    }
    if ($calls !== null) {
        echo 'calls: ', json_encode($calls), "\n";
    }
    unset($c);   // no LOGOUT: the server sees what the login sent, and the end
    echo "server got:\n", implode("\n", array_map(fn($l) => preg_replace('/^(\S+ AUTHENTICATE \S+) .*/', '$1 ...', $l),
                                                 sqauth_fake_server_finish($srv))), "\n";
}

$calls = [];
run('invalid_token twice: one refresh, no third attempt (the server would take it)', array_merge(
    refusal('A0001', 'OAUTHBEARER', ['status' => 'invalid_token']),
    refusal('A0002', 'OAUTHBEARER', ['status' => 'invalid_token', 'scope' => 'mail']),
    [['expect', 'A0003 AUTHENTICATE'], ['send', "A0003 OK you would have got in\r\n"]]
), 'OAUTHBEARER', source($calls), $calls);

$calls = [];
run('401, then the fresh token is in', array_merge(
    refusal('A0001', 'XOAUTH2', ['status' => '401', 'schemes' => 'bearer', 'scope' => 'mail']),
    [['expect', 'A0002 AUTHENTICATE XOAUTH2 ' . base64_encode("user=user@example.org\x01auth=Bearer ya29.fresh\x01\x01")],
     ['send', "A0002 OK logged in\r\n"]]
), 'XOAUTH2', source($calls), $calls);

$calls = [];
run('the fresh token is refused for another reason: that refusal is the answer', array_merge(
    refusal('A0001', 'XOAUTH2', ['status' => '401']),
    refusal('A0002', 'XOAUTH2', ['status' => 'insufficient_scope'])
), 'XOAUTH2', source($calls), $calls);

$calls = [];
run('insufficient_scope: a fresh token would not help', refusal('A0001', 'OAUTHBEARER', ['status' => 'insufficient_scope']),
    'OAUTHBEARER', source($calls), $calls);

$calls = [];
run('a refusal without an error document', refusal('A0001', 'OAUTHBEARER', null), 'OAUTHBEARER', source($calls), $calls);

run('a string token is not refreshed', refusal('A0001', 'XOAUTH2', ['status' => '401']), 'XOAUTH2', 'ya29.first');

run('the callable throws at once: nothing is sent', [], 'OAUTHBEARER', function (bool $refresh) {
    throw new RuntimeException('no token yet');
});

run('the callable returns no string', [], 'OAUTHBEARER', fn(bool $refresh) => null);

run('the callable returns no bearer token', [], 'OAUTHBEARER', fn(bool $refresh) => "ya29 first\r\nA0002 LOGOUT");

$calls = [];
run('the callable throws when asked again', refusal('A0001', 'XOAUTH2', ['status' => '401']), 'XOAUTH2',
    function (bool $refresh) use (&$calls) {
        $calls[] = $refresh;
        return $refresh ? throw new LogicException('refresh token revoked') : 'ya29.first';
    }, $calls);

echo "== the callable cannot reach the connection it is logging in\n";
$srv = sqauth_fake_server([['send', GREETING], ['expect', 'A0001 AUTHENTICATE XOAUTH2 '], ['send', "A0001 OK in\r\n"],
                           ['expect', 'X1 NOOP'], ['send', "X1 OK still here\r\n"], ['drain', 5]]);
$c = Connection::open("imap://127.0.0.1:{$srv['port']}", ['tls' => 'none']);
$s = $c->stream();
$c->authenticate('XOAUTH2', 'user@example.org', '', ['allow_plaintext' => true, 'token' => function (bool $refresh) use ($c, $s) {
    foreach ([fn() => $c->capabilities(), fn() => $c->authenticate('PLAIN', 'u', 'p'), fn() => $c->transcript()] as $f) {
        try {
            $f();
            echo "no exception\n";
        } catch (Throwable $e) {
            echo sqauth_describe($e), "\n";
        }
    }
    var_dump(fwrite($s, "X0 SNEAKY\r\n"));
    $c->close();
    return 'ya29.first';
}]);
fwrite($s, "X1 NOOP\r\n");
echo rtrim(fgets($s)), "\n";
fclose($s);
echo implode("\n", array_map(fn($l) => preg_replace('/^(\S+ AUTHENTICATE \S+) .*/', '$1 ...', $l), sqauth_fake_server_finish($srv))), "\n";

?>
--EXPECTF--
== invalid_token twice: one refresh, no third attempt (the server would take it)
SqAuth\AuthenticationException (16): the server refused the OAUTHBEARER login: A0002 NO [AUTHENTICATIONFAILED] Authentication failed. (OAuth error: {"status":"invalid_token","scope":"mail"})
string(54) "A0002 NO [AUTHENTICATIONFAILED] Authentication failed."
string(20) "AUTHENTICATIONFAILED"
calls: [false,true]
server got:
A0001 AUTHENTICATE OAUTHBEARER ...
AQ==
A0002 AUTHENTICATE OAUTHBEARER ...
AQ==
<eof>
== 401, then the fresh token is in
logged in
calls: [false,true]
server got:
A0001 AUTHENTICATE XOAUTH2 ...

A0002 AUTHENTICATE XOAUTH2 ...
== the fresh token is refused for another reason: that refusal is the answer
SqAuth\AuthenticationException (16): the server refused the XOAUTH2 login: A0002 NO [AUTHENTICATIONFAILED] Authentication failed. (OAuth error: {"status":"insufficient_scope"})
string(54) "A0002 NO [AUTHENTICATIONFAILED] Authentication failed."
string(20) "AUTHENTICATIONFAILED"
calls: [false,true]
server got:
A0001 AUTHENTICATE XOAUTH2 ...

A0002 AUTHENTICATE XOAUTH2 ...

== insufficient_scope: a fresh token would not help
SqAuth\AuthenticationException (16): the server refused the OAUTHBEARER login: A0001 NO [AUTHENTICATIONFAILED] Authentication failed. (OAuth error: {"status":"insufficient_scope"})
string(54) "A0001 NO [AUTHENTICATIONFAILED] Authentication failed."
string(20) "AUTHENTICATIONFAILED"
calls: [false]
server got:
A0001 AUTHENTICATE OAUTHBEARER ...
AQ==
== a refusal without an error document
SqAuth\AuthenticationException (16): the server refused the OAUTHBEARER login: A0001 NO [AUTHENTICATIONFAILED] Authentication failed.
string(54) "A0001 NO [AUTHENTICATIONFAILED] Authentication failed."
string(20) "AUTHENTICATIONFAILED"
calls: [false]
server got:
A0001 AUTHENTICATE OAUTHBEARER ...
== a string token is not refreshed
SqAuth\AuthenticationException (16): the server refused the XOAUTH2 login: A0001 NO [AUTHENTICATIONFAILED] Authentication failed. (OAuth error: {"status":"401"})
string(54) "A0001 NO [AUTHENTICATIONFAILED] Authentication failed."
string(20) "AUTHENTICATIONFAILED"
server got:
A0001 AUTHENTICATE XOAUTH2 ...

== the callable throws at once: nothing is sent
RuntimeException (0): no token yet
server got:

== the callable returns no string
TypeError (0): SqAuth\Connection::authenticate(): Argument #4 ($options) key "token" must return a string, null returned
server got:

== the callable returns no bearer token
SqAuth\SaslException (2): OAUTHBEARER: the token is not a valid RFC 6750 bearer token
server got:

== the callable throws when asked again
LogicException (0): refresh token revoked
calls: [false,true]
server got:
A0001 AUTHENTICATE XOAUTH2 ...

== the callable cannot reach the connection it is logging in
SqAuth\ConnectionException (13): the connection is closed
SqAuth\ConnectionException (13): the connection is closed
SqAuth\ConnectionException (13): the connection is closed
bool(false)
X1 OK still here
A0001 AUTHENTICATE XOAUTH2 ...
X1 NOOP
