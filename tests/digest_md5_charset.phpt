--TEST--
DIGEST-MD5: charset rules of RFC 2831 §2.1.2.1 (ISO-8859-1 when representable, else UTF-8)
--EXTENSIONS--
sqauth
--FILE--
<?php
// Expected response values computed independently with Python hashlib
// (see tests/core/test_digest_md5.c), e.g. for jürgen / bücher.example / sécret:
//   resp('jürgen'.encode('latin-1'), 'bücher.example'.encode('latin-1'), 'sécret'.encode('latin-1'), ...)
//   = 11e506583c2c55d662deccbde15a4ff8 (the UTF-8 bytes would give ba1ef92a...; SquirrelMail's
//   utf8_encode() of UTF-8 input gives yet another, wrong, value).
function esc(string $s): string {
    return preg_replace_callback('/[^\x20-\x7e]/', fn($m) => sprintf('\\x%02x', ord($m[0])), $s);
}
function respond(string $user, string $password, string $challenge, array $options = []) {
    try {
        $c = new SqAuth\SaslClient('DIGEST-MD5', ['authcid' => $user, 'password' => $password],
            $options + ['host' => 'elwood.innosoft.com', 'cnonce' => 'OA6MHXh6VqTrRk']);
        echo esc($c->step($challenge)), "\n";
    } catch (Throwable $e) {
        echo get_class($e), ' ', $e->getCode(), ': ', esc($e->getMessage()), "\n";
    }
}
$utf8 = "realm=\"b\u{fc}cher.example\",nonce=\"OA6MG9tEQGm2hh\",qop=\"auth\",charset=utf-8,algorithm=md5-sess";
$latin1 = "realm=\"b\xfccher.example\",nonce=\"OA6MG9tEQGm2hh\",qop=\"auth\",algorithm=md5-sess";

echo "-- charset=utf-8, all representable in ISO-8859-1: sent as UTF-8, hashed as ISO-8859-1 --\n";
respond("j\u{fc}rgen", "s\u{e9}cret", $utf8);
echo "-- no charset: the same hash; user name sent in ISO-8859-1, the server's realm echoed --\n";
respond("j\u{fc}rgen", "s\u{e9}cret", $latin1);
respond("j\u{fc}rgen", "s\u{e9}cret", "realm=\"other\"," . $latin1, ['realm' => "b\u{fc}cher.example"]);
echo "-- a user name outside ISO-8859-1 is hashed as UTF-8 (the password, decided separately, as ISO-8859-1) --\n";
respond("\u{44e}\u{437}\u{435}\u{440}", "s\u{e9}cret",
    'realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",qop="auth",algorithm=md5-sess,charset=utf-8');
echo "-- ... and cannot be used without charset=utf-8 --\n";
respond("\u{44e}\u{437}\u{435}\u{440}", 'secret', $latin1);
respond('chris', "\u{43f}\u{430}\u{440}\u{43e}\u{43b}\u{44c}", $latin1);
respond('chris', 'secret', $latin1, ['realm' => "\u{431}"]);
echo "-- input that is not UTF-8 --\n";
respond("j\xfcrgen", 'secret', $utf8);
respond("j\xfcrgen", 'secret', $latin1);
respond('chris', "s\xe9cret", $utf8);
respond('chris', "\xc0\xa2", $utf8);          // overlong '"'
respond('chris', "\xed\xa0\x80", $utf8);      // UTF-16 surrogate
echo "-- a server announcing UTF-8 with an ISO-8859-1 realm --\n";
respond('chris', 'secret', "realm=\"b\xfccher.example\",nonce=\"n\",charset=utf-8,algorithm=md5-sess");

echo "-- the helper follows the same rules --\n";
echo esc(base64_decode(SqAuth\digest_md5_response("j\u{fc}rgen", "s\u{e9}cret", base64_encode($utf8), 'imap',
    'elwood.innosoft.com', '', ['cnonce' => 'OA6MHXh6VqTrRk']))), "\n";
?>
--EXPECT--
-- charset=utf-8, all representable in ISO-8859-1: sent as UTF-8, hashed as ISO-8859-1 --
charset=utf-8,username="j\xc3\xbcrgen",realm="b\xc3\xbccher.example",nonce="OA6MG9tEQGm2hh",nc=00000001,cnonce="OA6MHXh6VqTrRk",digest-uri="imap/elwood.innosoft.com",response=11e506583c2c55d662deccbde15a4ff8,qop=auth
-- no charset: the same hash; user name sent in ISO-8859-1, the server's realm echoed --
username="j\xfcrgen",realm="b\xfccher.example",nonce="OA6MG9tEQGm2hh",nc=00000001,cnonce="OA6MHXh6VqTrRk",digest-uri="imap/elwood.innosoft.com",response=11e506583c2c55d662deccbde15a4ff8,qop=auth
username="j\xfcrgen",realm="b\xfccher.example",nonce="OA6MG9tEQGm2hh",nc=00000001,cnonce="OA6MHXh6VqTrRk",digest-uri="imap/elwood.innosoft.com",response=11e506583c2c55d662deccbde15a4ff8,qop=auth
-- a user name outside ISO-8859-1 is hashed as UTF-8 (the password, decided separately, as ISO-8859-1) --
charset=utf-8,username="\xd1\x8e\xd0\xb7\xd0\xb5\xd1\x80",realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",nc=00000001,cnonce="OA6MHXh6VqTrRk",digest-uri="imap/elwood.innosoft.com",response=49f6b3332cb32e1d5fab69de3934ff61,qop=auth
-- ... and cannot be used without charset=utf-8 --
SqAuth\SaslException 10: the user name has characters outside ISO-8859-1 and the DIGEST-MD5 challenge has no charset=utf-8
SqAuth\SaslException 10: the password has characters outside ISO-8859-1 and the DIGEST-MD5 challenge has no charset=utf-8
SqAuth\SaslException 10: the option 'realm' has characters outside ISO-8859-1 and the DIGEST-MD5 challenge has no charset=utf-8
-- input that is not UTF-8 --
SqAuth\SaslException 10: the user name is not valid UTF-8
SqAuth\SaslException 10: the user name is not valid UTF-8
SqAuth\SaslException 10: the password is not valid UTF-8
SqAuth\SaslException 10: the password is not valid UTF-8
SqAuth\SaslException 10: the password is not valid UTF-8
-- a server announcing UTF-8 with an ISO-8859-1 realm --
SqAuth\SaslException 10: the realm is not valid UTF-8
-- the helper follows the same rules --
charset=utf-8,username="j\xc3\xbcrgen",realm="b\xc3\xbccher.example",nonce="OA6MG9tEQGm2hh",nc=00000001,cnonce="OA6MHXh6VqTrRk",digest-uri="imap/elwood.innosoft.com",response=11e506583c2c55d662deccbde15a4ff8,qop=auth
