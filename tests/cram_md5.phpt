--TEST--
CRAM-MD5 (RFC 2195 §2): SaslClient and the SquirrelMail-shaped helper
--EXTENSIONS--
sqauth
--FILE--
<?php
$c = new SqAuth\SaslClient('CRAM-MD5', ['authcid' => 'tim', 'password' => 'tanstaaftanstaaf']);
var_dump($c->start());
var_dump($c->step('<1896.697170952@postoffice.reston.mci.net>'));
var_dump($c->isComplete(), $c->isServerVerified());

$b64 = 'PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+';
var_dump(SqAuth\cram_md5_response('tim', 'tanstaaftanstaaf', $b64));
// SquirrelMail passes the rest of the server line, CRLF included
var_dump(SqAuth\cram_md5_response('tim', 'tanstaaftanstaaf', $b64 . "\r\n"));

// User names of every length around the helper's 256-byte stack buffer and
// passwords longer than HMAC's 64-byte block, against PHP's hash_hmac.
$ok = true;
foreach ([0, 1, 222, 223, 224, 1000] as $ulen) {
    foreach ([0, 16, 64, 65, 200] as $plen) {
        $u = str_repeat('u', $ulen);
        $p = str_repeat('p', $plen);
        $want = base64_encode($u . ' ' . hash_hmac('md5', '<1896.697170952@postoffice.reston.mci.net>', $p));
        $ok = $ok && SqAuth\cram_md5_response($u, $p, $b64) === $want;
    }
}
var_dump($ok);

foreach (['', 'PDE4OTYuNjk3MTcw!TUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+', 'abc', 'ab=c'] as $bad) {
    try {
        SqAuth\cram_md5_response('tim', 'pw', $bad);
        echo "no exception\n";
    } catch (SqAuth\SaslException $e) {
        echo get_class($e), ' ', $e->getCode(), ': ', $e->getMessage(), "\n";
    }
}
?>
--EXPECT--
NULL
string(36) "tim b913a602c7eda7a495b4e6e7334d3890"
bool(true)
bool(false)
string(48) "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw"
string(48) "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw"
bool(true)
SqAuth\SaslException 3: CRAM-MD5 challenge is empty
SqAuth\SaslException 3: invalid base64: unexpected character at offset 16
SqAuth\SaslException 3: invalid base64: length 3 is not a multiple of 4
SqAuth\SaslException 3: invalid base64: unexpected character at offset 3
