--TEST--
DIGEST-MD5: the server's rspauth is checked (RFC 2831 §2.1.3); stale=true re-challenge (§2.1.1)
--EXTENSIONS--
sqauth
--FILE--
<?php
function show(callable $f) {
    try {
        var_dump($f());
    } catch (Throwable $e) {
        echo get_class($e), ' ', $e->getCode(), ': ', $e->getMessage(), "\n";
    }
}
function client() {
    return new SqAuth\SaslClient('DIGEST-MD5', ['authcid' => 'chris', 'password' => 'secret'],
        ['service' => 'imap', 'host' => 'elwood.innosoft.com', 'cnonce' => 'OA6MHXh6VqTrRk']);
}
$challenge = 'realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",qop="auth",algorithm=md5-sess,charset=utf-8';

echo "-- rspauth accepted quoted and in upper case --\n";
$c = client();
$c->step($challenge);
show(fn() => $c->step('rspauth="EA40F60335C427B5527B84DBABCDFFFD"'));
var_dump($c->isComplete(), $c->isServerVerified());

// Horde and Roundcube only check that an rspauth is there, curl never looks
// at it: a wrong one must fail (tests/live/peer_rspauth.phpt: over the wire,
// and a success without any rspauth).
echo "-- wrong rspauth: not verified, the exchange is over --\n";
$c = client();
$c->step($challenge);
show(fn() => $c->step('rspauth=ea40f60335c427b5527b84dbabcdfffe'));
var_dump($c->isComplete(), $c->isServerVerified());
show(fn() => $c->step('rspauth=ea40f60335c427b5527b84dbabcdfffd'));

echo "-- our own response echoed back is no proof --\n";
$c = client();
$c->step($challenge);
show(fn() => $c->step('rspauth=d388dad90d4bbd760a152321f2143af7'));

echo "-- second messages that are not rspauth --\n";
foreach (['', 'rspauth=ea40f603', 'rspauth=ea40f60335c427b5527b84dbabcdfffz', 'rspauth=1,rspauth=2', $challenge, 'ok'] as $m) {
    $c = client();
    $c->step($challenge);
    show(fn() => $c->step($m));
}

echo "-- stale=true: one fresh answer with the new nonce and nc=00000001 --\n";
// expected values computed independently with Python hashlib (see tests/core/test_digest_md5.c)
$c = client();
$c->step($challenge);
show(fn() => $c->step('realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hi",qop="auth",algorithm=md5-sess,charset=utf-8,stale=true'));
var_dump($c->isComplete());
show(fn() => $c->step('rspauth=036e0e32df1db7bc4a29d30fe880d679'));
var_dump($c->isComplete(), $c->isServerVerified());

$c = client();
$c->step($challenge);
$c->step('nonce="n2",stale=true,algorithm=md5-sess');
show(fn() => $c->step('nonce="n3",stale=true,algorithm=md5-sess'));
?>
--EXPECT--
-- rspauth accepted quoted and in upper case --
string(0) ""
bool(true)
bool(true)
-- wrong rspauth: not verified, the exchange is over --
SqAuth\SaslException 4: DIGEST-MD5 server signature (rspauth) does not match: the server does not know the password, or the exchange was tampered with
bool(false)
bool(false)
SqAuth\SaslException 7: the SASL exchange already failed
-- our own response echoed back is no proof --
SqAuth\SaslException 4: DIGEST-MD5 server signature (rspauth) does not match: the server does not know the password, or the exchange was tampered with
-- second messages that are not rspauth --
SqAuth\SaslException 3: DIGEST-MD5: expected rspauth=... from the server after the response
SqAuth\SaslException 3: DIGEST-MD5 rspauth is 8 characters long, expected 32 hex digits
SqAuth\SaslException 3: DIGEST-MD5 rspauth is not 32 hex digits
SqAuth\SaslException 3: DIGEST-MD5 server message has more than one rspauth
SqAuth\SaslException 3: DIGEST-MD5: expected rspauth=... from the server, got a new challenge without stale=true
SqAuth\SaslException 3: DIGEST-MD5 challenge: directive "ok" is not followed by '=' (found the end of the message at offset 2)
-- stale=true: one fresh answer with the new nonce and nc=00000001 --
string(206) "charset=utf-8,username="chris",realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hi",nc=00000001,cnonce="OA6MHXh6VqTrRk",digest-uri="imap/elwood.innosoft.com",response=157da9b27c29bcb274c7bb83b4016342,qop=auth"
bool(false)
string(0) ""
bool(true)
bool(true)
SqAuth\SaslException 9: DIGEST-MD5: the server sent stale=true again; giving up after one retry
