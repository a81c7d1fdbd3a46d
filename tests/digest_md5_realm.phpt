--TEST--
DIGEST-MD5: realm choice (several realms, preferred realm, none offered)
--EXTENSIONS--
sqauth
--FILE--
<?php
// Expected response values computed independently with Python hashlib from
// RFC 2831 §2.1.2.1 (see tests/core/test_digest_md5.c); cnonce OA6MHXh6VqTrRk.
function respond(string $challenge, array $options = []) {
    try {
        $c = new SqAuth\SaslClient('DIGEST-MD5', ['authcid' => 'chris', 'password' => 'secret'],
            $options + ['host' => 'elwood.innosoft.com', 'cnonce' => 'OA6MHXh6VqTrRk']);
        echo $c->step($challenge), "\n";
    } catch (Throwable $e) {
        echo get_class($e), ' ', $e->getCode(), ': ', $e->getMessage(), "\n";
    }
}
// Dovecot with auth_realms = a.example b.example. Several realm directives are
// where PEAR Auth_SASL goes wrong: its parsed realm becomes a PHP array and it
// sends realm="Array". One realm, as sent, is hashed and sent here.
$two = 'realm="a.example",realm="b.example",nonce="OA6MG9tEQGm2hh",qop="auth",charset="utf-8",algorithm="md5-sess"';
respond($two);                                  // the first one
respond($two, ['realm' => 'b.example']);        // the one asked for
respond($two, ['realm' => 'c.example']);        // not offered
respond($two, ['realm' => 'B.EXAMPLE']);        // realms compare exactly
// realms in the message: quoted as C strings, UTF-8 as it is, a C1 control escaped
respond("realm=\"a.example\",realm=\"b\\\\x\\\"y\xc3\xa9\xc2\x9b\",nonce=\"n\",algorithm=md5-sess,charset=utf-8", ['realm' => 'c']);

$none = 'nonce="OA6MG9tEQGm2hh",qop="auth",charset=utf-8,algorithm=md5-sess';
respond($none);                                 // no realm: none sent, "" hashed
respond($none, ['realm' => 'x.example']);       // the caller's realm is sent and hashed

// the SquirrelMail-shaped helper (the Auth_SASL call shape) with two realms
// and no preference: the first one, a string
echo base64_decode(SqAuth\digest_md5_response('chris', 'secret', base64_encode($two), 'imap', 'elwood.innosoft.com', '',
    ['cnonce' => 'OA6MHXh6VqTrRk'])), "\n";
// the helper takes the realm as an option too
echo base64_decode(SqAuth\digest_md5_response('chris', 'secret', base64_encode($two), 'imap', 'elwood.innosoft.com', '',
    ['realm' => 'b.example', 'cnonce' => 'OA6MHXh6VqTrRk'])), "\n";
?>
--EXPECT--
charset=utf-8,username="chris",realm="a.example",nonce="OA6MG9tEQGm2hh",nc=00000001,cnonce="OA6MHXh6VqTrRk",digest-uri="imap/elwood.innosoft.com",response=4b5f016d744d33bc29ddfd338b81c1d6,qop=auth
charset=utf-8,username="chris",realm="b.example",nonce="OA6MG9tEQGm2hh",nc=00000001,cnonce="OA6MHXh6VqTrRk",digest-uri="imap/elwood.innosoft.com",response=ac27e47b9f7edc0827ccd1d3f13b51d0,qop=auth
SqAuth\SaslException 2: DIGEST-MD5 realm "c.example" is not offered by the server (offered: "a.example", "b.example")
SqAuth\SaslException 2: DIGEST-MD5 realm "B.EXAMPLE" is not offered by the server (offered: "a.example", "b.example")
SqAuth\SaslException 2: DIGEST-MD5 realm "c" is not offered by the server (offered: "a.example", "b\\x\"yé\xc2\x9b")
charset=utf-8,username="chris",nonce="OA6MG9tEQGm2hh",nc=00000001,cnonce="OA6MHXh6VqTrRk",digest-uri="imap/elwood.innosoft.com",response=695dcc815019923b9d438fd28c641aa9,qop=auth
charset=utf-8,username="chris",realm="x.example",nonce="OA6MG9tEQGm2hh",nc=00000001,cnonce="OA6MHXh6VqTrRk",digest-uri="imap/elwood.innosoft.com",response=eacffa93ffa6fbe80b3619af83df7226,qop=auth
charset=utf-8,username="chris",realm="a.example",nonce="OA6MG9tEQGm2hh",nc=00000001,cnonce="OA6MHXh6VqTrRk",digest-uri="imap/elwood.innosoft.com",response=4b5f016d744d33bc29ddfd338b81c1d6,qop=auth
charset=utf-8,username="chris",realm="b.example",nonce="OA6MG9tEQGm2hh",nc=00000001,cnonce="OA6MHXh6VqTrRk",digest-uri="imap/elwood.innosoft.com",response=ac27e47b9f7edc0827ccd1d3f13b51d0,qop=auth
