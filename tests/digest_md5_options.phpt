--TEST--
DIGEST-MD5: qop preferences, service and host options
--EXTENSIONS--
sqauth
--FILE--
<?php
function respond(string $challenge, array $options) {
    try {
        $c = new SqAuth\SaslClient('DIGEST-MD5', ['authcid' => 'chris', 'password' => 'secret'],
            $options + ['cnonce' => 'OA6MHXh6VqTrRk']);
        echo $c->step($challenge), "\n";
        var_dump($c->securityLayer());
    } catch (Throwable $e) {
        echo get_class($e), ' ', $e->getCode(), ': ', $e->getMessage(), "\n";
    }
}
$h = ['host' => 'elwood.innosoft.com'];
$offer = fn(string $qop) => "realm=\"elwood.innosoft.com\",nonce=\"OA6MG9tEQGm2hh\",qop=\"$qop\",algorithm=md5-sess,charset=utf-8";

echo "-- the first preference the server offers --\n";
respond($offer('auth,auth-int'), $h + ['qop' => ['auth-conf', 'auth']]);
respond($offer('auth,auth-int'), $h + ['qop' => 'auth']);
// Expected responses computed independently with Python hashlib: A2 gets
// ":00000000000000000000000000000000" for auth-int and auth-conf.
echo "-- security layers: maxbuf, and the strongest common cipher --\n";
respond($offer('auth,auth-int'), $h + ['qop' => ['auth-int', 'auth']]);
respond($offer('auth-conf,auth') . ',cipher="rc4,3des"', $h + ['qop' => ['auth-conf', 'auth-int', 'auth']]);
echo "-- nothing acceptable offered --\n";
respond($offer('auth'), $h + ['qop' => ['auth-conf', 'auth-int']]);
respond('nonce="x",algorithm=md5-sess', $h + ['qop' => ['auth-int']]);
respond($offer('x-future'), $h);
echo "-- service and host make the digest-uri --\n";
// python: uri=b'smtp/elwood.innosoft.com' -> 52ff4490...
respond($offer('auth'), $h + ['service' => 'smtp']);
respond($offer('auth'), ['service' => 'imap']);
respond($offer('auth'), ['host' => '']);
respond($offer('auth'), $h + ['service' => '']);
respond($offer('auth'), ['host' => "evil\r\nhost"]);
?>
--EXPECT--
-- the first preference the server offers --
charset=utf-8,username="chris",realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",nc=00000001,cnonce="OA6MHXh6VqTrRk",digest-uri="imap/elwood.innosoft.com",response=d388dad90d4bbd760a152321f2143af7,qop=auth
NULL
charset=utf-8,username="chris",realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",nc=00000001,cnonce="OA6MHXh6VqTrRk",digest-uri="imap/elwood.innosoft.com",response=d388dad90d4bbd760a152321f2143af7,qop=auth
NULL
-- security layers: maxbuf, and the strongest common cipher --
charset=utf-8,username="chris",realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",nc=00000001,cnonce="OA6MHXh6VqTrRk",digest-uri="imap/elwood.innosoft.com",response=89fdc8198a2499ec4b6d0045c00ae24a,qop=auth-int,maxbuf=65536
NULL
charset=utf-8,username="chris",realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",nc=00000001,cnonce="OA6MHXh6VqTrRk",digest-uri="imap/elwood.innosoft.com",response=c7d2efa41f50398d289b732a0c09f381,qop=auth-conf,maxbuf=65536,cipher=rc4
NULL
-- nothing acceptable offered --
SqAuth\SaslException 9: DIGEST-MD5: the server offers none of the requested qop (qop="auth"; requested: auth-conf auth-int)
SqAuth\SaslException 9: DIGEST-MD5: the server offers none of the requested qop (no qop, which means auth; requested: auth-int)
SqAuth\SaslException 9: DIGEST-MD5: the server offers none of the requested qop (qop="x-future"; requested: auth)
-- service and host make the digest-uri --
charset=utf-8,username="chris",realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",nc=00000001,cnonce="OA6MHXh6VqTrRk",digest-uri="smtp/elwood.innosoft.com",response=52ff44907f72314481b5c098c708ebf3,qop=auth
NULL
SqAuth\SaslException 2: DIGEST-MD5 needs the option 'host'
SqAuth\SaslException 2: DIGEST-MD5 needs the option 'host'
SqAuth\SaslException 2: the DIGEST-MD5 option 'service' must not be empty
SqAuth\SaslException 2: the DIGEST-MD5 options 'service' and 'host' must not contain control characters
