--TEST--
DIGEST-MD5: malformed challenges (exact class, code and message), through the helper and SaslClient
--EXTENSIONS--
sqauth
--FILE--
<?php
function show(callable $f) {
    try {
        $r = $f();
        echo "no exception: ", is_array($r) ? json_encode($r) : var_export($r, true), "\n";
    } catch (Throwable $e) {
        echo get_class($e), ' ', $e->getCode(), ': ', $e->getMessage(), "\n";
    }
}
$tail = ',algorithm=md5-sess';
$bad = [
    '',
    ' ,, ,',
    "nonce=\"a\0b\"$tail",
    'nonce="' . str_repeat('n', 2048 - 8 - strlen($tail)) . '"' . $tail,   // 2048 bytes
    "realm=\"r\"$tail",
    "nonce=\"\"$tail",
    "nonce=a,nonce=b$tail",
    "nonce=a,qop=auth,qop=\"auth\"$tail",
    "nonce=a,charset=utf-8,Charset=utf-8$tail",
    "nonce=a$tail$tail",
    "nonce=a,maxbuf=1024,maxbuf=1024$tail",
    "nonce=a,stale=true,stale=true$tail",
    "nonce=a,cipher=rc4,cipher=des$tail",
    'nonce=a',
    'nonce=a,algorithm=md5',
    "nonce=a,charset=iso-8859-1$tail",
    "nonce=a,maxbuf=abc$tail",
    "nonce=a,maxbuf=16$tail",
    "nonce=a,maxbuf=16777216$tail",
    "nonce=a,stale=false$tail",
    "nonce=a,qop=\"\"$tail",
    "nonce=a,qop=\"auth int\"$tail",
    "nonce=a,qop=\"auth,;x\"$tail",
    "nonce=\"abc$tail",
    'nonce="abc\\',
    "nonce=a,realm=\"a\rb\"$tail",
    "=a,nonce=b$tail",
    "nonce \"a\"$tail",
    "nonce=,realm=r$tail",
    "nonce=@$tail",
    "nonce=a,realm=\xc3\xa9$tail",
    "nonce=\"a\" \"b\"$tail",
    'nonce=a;algorithm=md5-sess',
];
foreach ($bad as $challenge) {
    show(fn() => SqAuth\digest_md5_parse_challenge(base64_encode($challenge)));
}
// 2047 bytes is still fine
show(fn() => strlen(SqAuth\digest_md5_parse_challenge(base64_encode('nonce="' . str_repeat('n', 2047 - 8 - strlen($tail)) . '"' . $tail))['nonce']));

echo "-- base64 --\n";
show(fn() => SqAuth\digest_md5_parse_challenge('bm9uY2U9YQ'));
show(fn() => SqAuth\digest_md5_parse_challenge('bm9u*2U9'));

echo "-- SaslClient and digest_md5_response() report the same --\n";
foreach (["nonce=a,nonce=b$tail", 'nonce=a,algorithm=md5', "nonce=\"abc$tail"] as $challenge) {
    $c = new SqAuth\SaslClient('DIGEST-MD5', ['authcid' => 'chris', 'password' => 'secret'], ['host' => 'h.example']);
    show(fn() => $c->step($challenge));
    show(fn() => $c->step($challenge));   // the session is dead after an error
    show(fn() => SqAuth\digest_md5_response('chris', 'secret', base64_encode($challenge), 'imap', 'h.example'));
}
?>
--EXPECT--
SqAuth\SaslException 3: DIGEST-MD5 challenge is empty
SqAuth\SaslException 3: DIGEST-MD5 challenge has no directive
SqAuth\SaslException 3: DIGEST-MD5 challenge contains a NUL byte at offset 8
SqAuth\SaslException 3: DIGEST-MD5 challenge is 2048 bytes; RFC 2831 allows at most 2047
SqAuth\SaslException 3: DIGEST-MD5 challenge has no nonce directive
SqAuth\SaslException 3: DIGEST-MD5 challenge has an empty nonce
SqAuth\SaslException 3: DIGEST-MD5 challenge has more than one nonce directive
SqAuth\SaslException 3: DIGEST-MD5 challenge has more than one qop directive
SqAuth\SaslException 3: DIGEST-MD5 challenge has more than one charset directive
SqAuth\SaslException 3: DIGEST-MD5 challenge has more than one algorithm directive
SqAuth\SaslException 3: DIGEST-MD5 challenge has more than one maxbuf directive
SqAuth\SaslException 3: DIGEST-MD5 challenge has more than one stale directive
SqAuth\SaslException 3: DIGEST-MD5 challenge has more than one cipher directive
SqAuth\SaslException 3: DIGEST-MD5 challenge has no algorithm directive (RFC 2831 requires algorithm=md5-sess)
SqAuth\SaslException 3: DIGEST-MD5 challenge: algorithm is "md5", expected md5-sess
SqAuth\SaslException 3: DIGEST-MD5 challenge: charset is "iso-8859-1", only utf-8 is allowed
SqAuth\SaslException 3: DIGEST-MD5 challenge: maxbuf "abc" is not a decimal number
SqAuth\SaslException 3: DIGEST-MD5 challenge: maxbuf 16 is out of range (17 to 16777215)
SqAuth\SaslException 3: DIGEST-MD5 challenge: maxbuf 16777216 is out of range (17 to 16777215)
SqAuth\SaslException 3: DIGEST-MD5 challenge: stale is "false", only true is allowed
SqAuth\SaslException 3: DIGEST-MD5 challenge: the qop list is empty
SqAuth\SaslException 3: DIGEST-MD5 challenge: the qop list "auth int" is not a comma-separated list of tokens
SqAuth\SaslException 3: DIGEST-MD5 challenge: the qop list has a byte 0x3b that is not part of a token
SqAuth\SaslException 3: DIGEST-MD5 challenge: the quoted value of "nonce" is not terminated
SqAuth\SaslException 3: DIGEST-MD5 challenge: the quoted value of "nonce" ends in a lone backslash
SqAuth\SaslException 3: DIGEST-MD5 challenge: control character 0x0d in the value of "realm" at offset 16
SqAuth\SaslException 3: DIGEST-MD5 challenge: expected a directive name at offset 0, found '='
SqAuth\SaslException 3: DIGEST-MD5 challenge: directive "nonce" is not followed by '=' (found '"' at offset 6)
SqAuth\SaslException 3: DIGEST-MD5 challenge: directive "nonce" has no value
SqAuth\SaslException 3: DIGEST-MD5 challenge: the value of "nonce" starts with '@' at offset 6; expected a token or a quoted string
SqAuth\SaslException 3: DIGEST-MD5 challenge: the value of "realm" starts with byte 0xc3 at offset 14; expected a token or a quoted string
SqAuth\SaslException 3: DIGEST-MD5 challenge: expected ',' after the value of "nonce" at offset 10, found '"'
SqAuth\SaslException 3: DIGEST-MD5 challenge: expected ',' after the value of "nonce" at offset 7, found ';'
no exception: 2020
-- base64 --
SqAuth\SaslException 3: invalid base64: length 10 is not a multiple of 4
SqAuth\SaslException 3: invalid base64: unexpected character at offset 4
-- SaslClient and digest_md5_response() report the same --
SqAuth\SaslException 3: DIGEST-MD5 challenge has more than one nonce directive
SqAuth\SaslException 7: the SASL exchange already failed
SqAuth\SaslException 3: DIGEST-MD5 challenge has more than one nonce directive
SqAuth\SaslException 3: DIGEST-MD5 challenge: algorithm is "md5", expected md5-sess
SqAuth\SaslException 7: the SASL exchange already failed
SqAuth\SaslException 3: DIGEST-MD5 challenge: algorithm is "md5", expected md5-sess
SqAuth\SaslException 3: DIGEST-MD5 challenge: the quoted value of "nonce" is not terminated
SqAuth\SaslException 7: the SASL exchange already failed
SqAuth\SaslException 3: DIGEST-MD5 challenge: the quoted value of "nonce" is not terminated
