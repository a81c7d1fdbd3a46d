--TEST--
DIGEST-MD5 (RFC 2831 §4 IMAP example): SaslClient and the SquirrelMail-shaped helper
--EXTENSIONS--
sqauth
--FILE--
<?php
$challenge = 'realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",qop="auth",algorithm=md5-sess,charset=utf-8';
$c = new SqAuth\SaslClient('DIGEST-MD5', ['authcid' => 'chris', 'password' => 'secret'],
    ['service' => 'imap', 'host' => 'elwood.innosoft.com', 'cnonce' => 'OA6MHXh6VqTrRk', 'qop' => ['auth']]);
var_dump($c->mechanism());
var_dump($c->start());
var_dump($c->step($challenge));
var_dump($c->isComplete(), $c->isServerVerified());
var_dump($c->step('rspauth=ea40f60335c427b5527b84dbabcdfffd'));
var_dump($c->isComplete(), $c->isServerVerified(), $c->securityLayer());
try {
    $c->step('rspauth=ea40f60335c427b5527b84dbabcdfffd');
} catch (SqAuth\SaslException $e) {
    echo get_class($e), ' ', $e->getCode(), ': ', $e->getMessage(), "\n";
}

// service defaults to imap
$c = new SqAuth\SaslClient('digest-md5', ['authcid' => 'chris', 'password' => 'secret'],
    ['host' => 'elwood.innosoft.com', 'cnonce' => 'OA6MHXh6VqTrRk']);
var_dump($c->mechanism());
var_dump(str_contains($c->step($challenge), 'response=d388dad90d4bbd760a152321f2143af7'));

// the helper: base64 in, base64 out (vectors.md)
$b64 = 'cmVhbG09ImVsd29vZC5pbm5vc29mdC5jb20iLG5vbmNlPSJPQTZNRzl0RVFHbTJoaCIscW9wPSJhdXRoIixhbGdvcml0aG09bWQ1LXNlc3MsY2hhcnNldD11dGYtOA==';
var_dump(base64_decode($b64) === $challenge);
$r = SqAuth\digest_md5_response('chris', 'secret', $b64, 'imap', 'elwood.innosoft.com', '', ['cnonce' => 'OA6MHXh6VqTrRk']);
var_dump($r);
var_dump(base64_decode($r));
// SquirrelMail passes the rest of the server line, CRLF included
var_dump(SqAuth\digest_md5_response('chris', 'secret', $b64 . "\r\n", 'imap', 'elwood.innosoft.com', '',
    ['cnonce' => 'OA6MHXh6VqTrRk', 'qop' => ['auth']]) === $r);

// without a fixed cnonce: a fresh random one each time (24 bytes, base64)
$a = base64_decode(SqAuth\digest_md5_response('chris', 'secret', $b64, 'imap', 'elwood.innosoft.com'));
$b = base64_decode(SqAuth\digest_md5_response('chris', 'secret', $b64, 'imap', 'elwood.innosoft.com'));
var_dump(preg_match('/,cnonce="([A-Za-z0-9+\/]{32})",/', $a, $m1), preg_match('/,cnonce="([A-Za-z0-9+\/]{32})",/', $b, $m2));
var_dump($m1[1] !== $m2[1]);
?>
--EXPECT--
string(10) "DIGEST-MD5"
NULL
string(206) "charset=utf-8,username="chris",realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",nc=00000001,cnonce="OA6MHXh6VqTrRk",digest-uri="imap/elwood.innosoft.com",response=d388dad90d4bbd760a152321f2143af7,qop=auth"
bool(false)
bool(false)
string(0) ""
bool(true)
bool(true)
NULL
SqAuth\SaslException 7: the DIGEST-MD5 exchange is already complete; the server sent an unexpected challenge
string(10) "DIGEST-MD5"
bool(true)
bool(true)
string(276) "Y2hhcnNldD11dGYtOCx1c2VybmFtZT0iY2hyaXMiLHJlYWxtPSJlbHdvb2QuaW5ub3NvZnQuY29tIixub25jZT0iT0E2TUc5dEVRR20yaGgiLG5jPTAwMDAwMDAxLGNub25jZT0iT0E2TUhYaDZWcVRyUmsiLGRpZ2VzdC11cmk9ImltYXAvZWx3b29kLmlubm9zb2Z0LmNvbSIscmVzcG9uc2U9ZDM4OGRhZDkwZDRiYmQ3NjBhMTUyMzIxZjIxNDNhZjcscW9wPWF1dGg="
string(206) "charset=utf-8,username="chris",realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",nc=00000001,cnonce="OA6MHXh6VqTrRk",digest-uri="imap/elwood.innosoft.com",response=d388dad90d4bbd760a152321f2143af7,qop=auth"
bool(true)
int(1)
int(1)
bool(true)
