--TEST--
SaslClient: argument and state errors (exact classes, codes, messages)
--EXTENSIONS--
sqauth
--FILE--
<?php
function show(callable $f) {
    try {
        $f();
        echo "no exception\n";
    } catch (Throwable $e) {
        echo get_class($e), ' ', $e->getCode(), ': ', $e->getMessage(), "\n";
    }
}
use SqAuth\SaslClient;
show(fn() => new SaslClient('NTLM', []));
show(fn() => new SaslClient('', []));
show(fn() => new SaslClient('PLAIN', []));
show(fn() => new SaslClient('PLAIN', ['authcid' => 'u']));
show(fn() => new SaslClient('PLAIN', ['authcid' => "u\0x", 'password' => 'p']));
show(fn() => new SaslClient('PLAIN', ['user' => 'u', 'password' => 'p']));
show(fn() => new SaslClient('PLAIN', ['u', 'p']));
show(fn() => new SaslClient('PLAIN', ['authcid' => 'u', 'password' => 42]));
show(fn() => new SaslClient('PLAIN', ['authcid' => 'u', 'password' => 'p'], ['bogus' => 1]));
show(fn() => new SaslClient('DIGEST-MD5', ['authcid' => 'u', 'password' => 'p'], ['qop' => ['auth', 'confidential']]));
show(fn() => new SaslClient('DIGEST-MD5', ['authcid' => 'u', 'password' => 'p'], ['qop' => []]));
show(fn() => new SaslClient('SCRAM-SHA-1', ['authcid' => 'u', 'password' => 'p'], ['min_iterations' => 0]));
show(fn() => new SaslClient('SCRAM-SHA-1', ['authcid' => 'u', 'password' => 'p'], ['min_iterations' => 10000, 'max_iterations' => 5000]));
show(fn() => new SaslClient('OAUTHBEARER', ['token' => 'x'], ['port' => 70000]));
show(fn() => new SaslClient('SCRAM-SHA-256-PLUS', ['authcid' => 'u', 'password' => 'p']));
show(fn() => new SaslClient('SCRAM-SHA-256-PLUS', ['authcid' => 'u', 'password' => 'p'], ['channel_binding' => ['type' => 'tls-exporter']]));

$c = new SaslClient('PLAIN', ['authcid' => 'u', 'password' => 'p']);
$c->start();
show(fn() => $c->start());
show(fn() => $c->__construct('PLAIN', ['authcid' => 'u', 'password' => 'p']));
show(fn() => clone $c);
show(fn() => serialize($c));
show(fn() => $c->dynamic = 1);

show(fn() => (new ReflectionClass(SaslClient::class))->newInstanceWithoutConstructor());

// once a step failed, the session refuses to go on
$c = new SaslClient('CRAM-MD5', ['authcid' => 'u', 'password' => 'p']);
show(fn() => $c->step(''));
show(fn() => $c->step('<ok@host>'));
var_dump($c->isComplete());
?>
--EXPECT--
SqAuth\SaslException 6: unsupported SASL mechanism "NTLM"
SqAuth\SaslException 6: unsupported SASL mechanism ""
SqAuth\SaslException 2: PLAIN needs the credentials 'authcid' and 'password'
SqAuth\SaslException 2: PLAIN needs the credentials 'authcid' and 'password'
SqAuth\SaslException 2: credentials must not contain NUL bytes
ValueError 0: SqAuth\SaslClient::__construct(): Argument #2 ($credentials) has an unknown key "user" (expected authcid, password, authzid, token)
ValueError 0: SqAuth\SaslClient::__construct(): Argument #2 ($credentials) must only have string keys
TypeError 0: SqAuth\SaslClient::__construct(): Argument #2 ($credentials) key "password" must be of type string, int given
ValueError 0: SqAuth\SaslClient::__construct(): Argument #3 ($options) has an unknown key "bogus"
ValueError 0: SqAuth\SaslClient::__construct(): Argument #3 ($options) key "qop" may only contain "auth", "auth-int" and "auth-conf"
ValueError 0: SqAuth\SaslClient::__construct(): Argument #3 ($options) key "qop" must be a non-empty list of strings
ValueError 0: SqAuth\SaslClient::__construct(): Argument #3 ($options) key "min_iterations" must be between 1 and 2147483647
SqAuth\SaslException 2: min_iterations is larger than max_iterations
ValueError 0: SqAuth\SaslClient::__construct(): Argument #3 ($options) key "port" must be between 1 and 65535
SqAuth\SaslException 2: SCRAM-SHA-256-PLUS needs TLS channel-binding data (option 'channel_binding')
ValueError 0: SqAuth\SaslClient::__construct(): Argument #3 ($options) key "channel_binding" must be an array with the keys "type" and "data"
SqAuth\SaslException 7: start() was already called
Error 0: SqAuth\SaslClient object is already constructed
Error 0: Trying to clone an uncloneable object of class SqAuth\SaslClient
Exception 0: Serialization of 'SqAuth\SaslClient' is not allowed
Error 0: Cannot create dynamic property SqAuth\SaslClient::$dynamic
ReflectionException 0: Class SqAuth\SaslClient is an internal class marked as final that cannot be instantiated without invoking its constructor
SqAuth\SaslException 3: CRAM-MD5 challenge is empty
SqAuth\SaslException 7: the SASL exchange already failed
bool(false)
