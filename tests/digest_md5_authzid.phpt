--TEST--
DIGEST-MD5: authzid goes into A1 and is sent after qop (RFC 2831 §2.1.2)
--EXTENSIONS--
sqauth
--FILE--
<?php
// response and rspauth computed independently with Python hashlib (authzid=b'admin',
// see tests/core/test_digest_md5.c)
$challenge = 'realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",qop="auth",algorithm=md5-sess,charset=utf-8';
$c = new SqAuth\SaslClient('DIGEST-MD5', ['authcid' => 'chris', 'password' => 'secret', 'authzid' => 'admin'],
    ['host' => 'elwood.innosoft.com', 'cnonce' => 'OA6MHXh6VqTrRk']);
echo $c->step($challenge), "\n";
var_dump($c->step('rspauth=9a3915030cc8922097cd627a25ee2b9e'), $c->isServerVerified());

// the helper's $authz argument
echo base64_decode(SqAuth\digest_md5_response('chris', 'secret', base64_encode($challenge), 'imap',
    'elwood.innosoft.com', 'admin', ['cnonce' => 'OA6MHXh6VqTrRk'])), "\n";
// an empty authzid is no authzid: the RFC vector
echo base64_decode(SqAuth\digest_md5_response('chris', 'secret', base64_encode($challenge), 'imap',
    'elwood.innosoft.com', '', ['cnonce' => 'OA6MHXh6VqTrRk'])), "\n";
$c = new SqAuth\SaslClient('DIGEST-MD5', ['authcid' => 'chris', 'password' => 'secret', 'authzid' => ''],
    ['host' => 'elwood.innosoft.com', 'cnonce' => 'OA6MHXh6VqTrRk']);
echo $c->step($challenge), "\n";

// '"' and '\' are escaped on the wire (the hash uses the raw value)
$c = new SqAuth\SaslClient('DIGEST-MD5', ['authcid' => 'chris', 'password' => 'secret', 'authzid' => 'a"b\\c'],
    ['host' => 'elwood.innosoft.com', 'cnonce' => 'OA6MHXh6VqTrRk']);
var_dump(str_ends_with($c->step($challenge), ',qop=auth,authzid="a\\"b\\\\c"'));

foreach (["\xc0\xa2", "a\tb"] as $authzid) {
    try {
        $c = new SqAuth\SaslClient('DIGEST-MD5', ['authcid' => 'chris', 'password' => 'secret', 'authzid' => $authzid],
            ['host' => 'elwood.innosoft.com']);
        $c->step($challenge);
    } catch (SqAuth\SaslException $e) {
        echo get_class($e), ' ', $e->getCode(), ': ', $e->getMessage(), "\n";
    }
}
?>
--EXPECT--
charset=utf-8,username="chris",realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",nc=00000001,cnonce="OA6MHXh6VqTrRk",digest-uri="imap/elwood.innosoft.com",response=23e90c577367d8f917efa6ba0cb7eebc,qop=auth,authzid="admin"
string(0) ""
bool(true)
charset=utf-8,username="chris",realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",nc=00000001,cnonce="OA6MHXh6VqTrRk",digest-uri="imap/elwood.innosoft.com",response=23e90c577367d8f917efa6ba0cb7eebc,qop=auth,authzid="admin"
charset=utf-8,username="chris",realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",nc=00000001,cnonce="OA6MHXh6VqTrRk",digest-uri="imap/elwood.innosoft.com",response=d388dad90d4bbd760a152321f2143af7,qop=auth
charset=utf-8,username="chris",realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",nc=00000001,cnonce="OA6MHXh6VqTrRk",digest-uri="imap/elwood.innosoft.com",response=d388dad90d4bbd760a152321f2143af7,qop=auth
bool(true)
SqAuth\SaslException 10: the authzid is not valid UTF-8
SqAuth\SaslException 2: the DIGEST-MD5 authzid contains a control character
