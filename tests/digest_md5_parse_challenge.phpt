--TEST--
DIGEST-MD5: SqAuth\digest_md5_parse_challenge() (RFC 2831 §2.1.1, §7.2 syntax)
--EXTENSIONS--
sqauth
--FILE--
<?php
// RFC 2831 §4 (vectors.md)
var_dump(SqAuth\digest_md5_parse_challenge(
    'cmVhbG09ImVsd29vZC5pbm5vc29mdC5jb20iLG5vbmNlPSJPQTZNRzl0RVFHbTJoaCIscW9wPSJhdXRoIixhbGdvcml0aG09bWQ1LXNlc3MsY2hhcnNldD11dGYtOA=='));

// Dovecot with two realms: every value quoted
var_dump(SqAuth\digest_md5_parse_challenge(base64_encode(
    'realm="a.example",realm="b.example",nonce="6kZ4n1u2SQ8VcJ3hYp0Wxg==",qop="auth",charset="utf-8",algorithm="md5-sess"')));

// Quoted-pairs, commas inside quotes, white space around '=' and ',', empty
// list elements, names in any case, unknown directives kept, qop and cipher split
var_dump(SqAuth\digest_md5_parse_challenge(base64_encode(
    ' ,, Realm = "a\\"b\\\\c,d" ,, NONCE= "n,o" , x-foo = bar ,qop=" auth , auth-int,,x-new ",'
    . 'ALGORITHM = MD5-Sess ,maxbuf="4096", cipher="rc4, 3des",stale=true ,')));
?>
--EXPECT--
array(5) {
  ["realm"]=>
  string(19) "elwood.innosoft.com"
  ["nonce"]=>
  string(14) "OA6MG9tEQGm2hh"
  ["qop"]=>
  string(4) "auth"
  ["algorithm"]=>
  string(8) "md5-sess"
  ["charset"]=>
  string(5) "utf-8"
}
array(5) {
  ["realm"]=>
  array(2) {
    [0]=>
    string(9) "a.example"
    [1]=>
    string(9) "b.example"
  }
  ["nonce"]=>
  string(24) "6kZ4n1u2SQ8VcJ3hYp0Wxg=="
  ["qop"]=>
  string(4) "auth"
  ["charset"]=>
  string(5) "utf-8"
  ["algorithm"]=>
  string(8) "md5-sess"
}
array(8) {
  ["realm"]=>
  string(7) "a"b\c,d"
  ["nonce"]=>
  string(3) "n,o"
  ["x-foo"]=>
  string(3) "bar"
  ["qop"]=>
  array(3) {
    [0]=>
    string(4) "auth"
    [1]=>
    string(8) "auth-int"
    [2]=>
    string(5) "x-new"
  }
  ["algorithm"]=>
  string(8) "MD5-Sess"
  ["maxbuf"]=>
  string(4) "4096"
  ["cipher"]=>
  array(2) {
    [0]=>
    string(3) "rc4"
    [1]=>
    string(4) "3des"
  }
  ["stale"]=>
  string(4) "true"
}
