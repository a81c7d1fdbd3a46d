--TEST--
Connection::authenticate(), login() and fromStream(): option errors name the options argument (#4, #3, #3), qop as one string is checked like the list
--EXTENSIONS--
sqauth
--FILE--
<?php
use SqAuth\Connection;

/* A connection over a socket pair whose server side sent an IMAP greeting:
 * the options are checked before any byte is written, so no server is needed. */
function offline(): Connection
{
    static $peers = [];
    [$a, $peers[]] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, 0);
    fwrite(end($peers), "* OK [CAPABILITY IMAP4rev1 AUTH=DIGEST-MD5 AUTH=XOAUTH2] offline\r\n");
    return Connection::fromStream($a, 'imap', ['tls' => 'none', 'timeout' => 0.2]);
}

function attempt(callable $f): void
{
    try {
        $f();
        echo "no exception\n";
    } catch (Throwable $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
}

$c = offline();
echo "-- authenticate()\n";
attempt(fn() => $c->authenticate('PLAIN', 'u', 'p', ['allow_plaintext' => 'yes']));
attempt(fn() => $c->authenticate('PLAIN', 'u', 'p', ['authzid' => 42]));
attempt(fn() => $c->authenticate('XOAUTH2', 'u', '', ['token' => 42]));
attempt(fn() => $c->authenticate('DIGEST-MD5', 'u', 'p', ['qop' => 'x']));
attempt(fn() => $c->authenticate('DIGEST-MD5', 'u', 'p', ['qop' => 'auth-confidential']));
attempt(fn() => $c->authenticate('DIGEST-MD5', 'u', 'p', ['qop' => ['x']]));
attempt(fn() => $c->authenticate('DIGEST-MD5', 'u', 'p', ['qop' => 7]));
attempt(fn() => $c->authenticate('DIGEST-MD5', 'u', 'p', ['realm' => 7]));
attempt(fn() => $c->authenticate('DIGEST-MD5', 'u', 'p', ['allowed' => 'PLAIN']));
attempt(fn() => $c->authenticate('DIGEST-MD5', 'u', 'p', ['bogus' => 1]));
attempt(fn() => $c->authenticate('DIGEST-MD5', 'u', 'p', [1 => 1]));

echo "-- login()\n";
attempt(fn() => $c->login('u', 'p', ['allow_plaintext' => 1]));
attempt(fn() => $c->login('u', 'p', ['bogus' => true]));

echo "-- SaslClient: qop as one string\n";
attempt(fn() => new SqAuth\SaslClient('DIGEST-MD5', ['authcid' => 'u', 'password' => 'p'], ['qop' => 'x']));
attempt(fn() => new SqAuth\SaslClient('DIGEST-MD5', ['authcid' => 'u', 'password' => 'p'], ['qop' => 'auth-int']));

echo "-- fromStream()\n";
[$a, $b] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, 0);
attempt(fn() => Connection::fromStream($a, 'imap', ['timeout' => 'x']));
attempt(fn() => Connection::fromStream($a, 'imap', ['bogus' => 1]));
attempt(fn() => Connection::fromStream($a, 'imap', ['verify_peer' => 'no']));
attempt(fn() => Connection::fromStream($a, 'imap', ['min_protocol' => 'SSLv3']));
attempt(fn() => Connection::fromStream($a, 'imap', ['cafile' => 1]));
attempt(fn() => Connection::fromStream($a, 'imap', [0 => 1]));
attempt(fn() => Connection::fromStream($a, 'imap', ['max_protocol' => 'TLSv1.1']));
?>
--EXPECT--
-- authenticate()
TypeError: SqAuth\Connection::authenticate(): Argument #4 ($options) option "allow_plaintext" must be of type bool, string given
TypeError: SqAuth\Connection::authenticate(): Argument #4 ($options) key "authzid" must be of type string, int given
TypeError: SqAuth\Connection::authenticate(): Argument #4 ($options) key "token" must be of type callable|string, int given
ValueError: SqAuth\Connection::authenticate(): Argument #4 ($options) key "qop" may only contain "auth", "auth-int" and "auth-conf"
ValueError: SqAuth\Connection::authenticate(): Argument #4 ($options) key "qop" may only contain "auth", "auth-int" and "auth-conf"
ValueError: SqAuth\Connection::authenticate(): Argument #4 ($options) key "qop" may only contain "auth", "auth-int" and "auth-conf"
ValueError: SqAuth\Connection::authenticate(): Argument #4 ($options) key "qop" must be a non-empty list of strings
TypeError: SqAuth\Connection::authenticate(): Argument #4 ($options) key "realm" must be of type string, int given
TypeError: SqAuth\Connection::authenticate(): Argument #4 ($options) option "allowed" must be a list of mechanism names
ValueError: SqAuth\Connection::authenticate(): Argument #4 ($options) has an unknown key "bogus"
ValueError: SqAuth\Connection::authenticate(): Argument #4 ($options) must only have string keys
-- login()
TypeError: SqAuth\Connection::login(): Argument #3 ($options) option "allow_plaintext" must be of type bool, int given
ValueError: SqAuth\Connection::login(): Argument #3 ($options) may only have the key "allow_plaintext"
-- SaslClient: qop as one string
ValueError: SqAuth\SaslClient::__construct(): Argument #3 ($options) key "qop" may only contain "auth", "auth-int" and "auth-conf"
no exception
-- fromStream()
TypeError: SqAuth\Connection::fromStream(): Argument #3 ($options) option "timeout" must be of type int|float, string given
ValueError: SqAuth\Connection::fromStream(): Argument #3 ($options) has an unknown option "bogus"
TypeError: SqAuth\Connection::fromStream(): Argument #3 ($options) option "verify_peer" must be of type bool, string given
ValueError: SqAuth\Connection::fromStream(): Argument #3 ($options) option "min_protocol" must be "TLSv1", "TLSv1.1", "TLSv1.2" or "TLSv1.3"
TypeError: SqAuth\Connection::fromStream(): Argument #3 ($options) option "cafile" must be of type string, int given
ValueError: SqAuth\Connection::fromStream(): Argument #3 ($options) must only have string keys
ValueError: SqAuth\Connection::fromStream(): Argument #3 ($options) option "max_protocol" is below php.ini sqauth.min_protocol="TLSv1.2"
