--TEST--
select_mechanism(): strongest first, cleartext only when encrypted, allowed list, case-insensitive
--EXTENSIONS--
sqauth
--FILE--
<?php
use function SqAuth\select_mechanism;
$dovecot = ['PLAIN', 'LOGIN', 'CRAM-MD5', 'DIGEST-MD5', 'SCRAM-SHA-1', 'SCRAM-SHA-256'];
var_dump(select_mechanism($dovecot));
var_dump(select_mechanism(['plain', 'login', 'cram-md5']));
var_dump(select_mechanism(['PLAIN', 'LOGIN'], null, false));
var_dump(select_mechanism(['PLAIN', 'LOGIN'], null, true));
var_dump(select_mechanism(['PLAIN', 'LOGIN', 'CRAM-MD5'], null, false));
var_dump(select_mechanism($dovecot, ['PLAIN', 'CRAM-MD5']));
var_dump(select_mechanism($dovecot, ['plain'], false));
var_dump(select_mechanism(['GSSAPI', 'NTLM']));
var_dump(select_mechanism([]));
// needs a token / channel binding: only when the caller allows it by name
var_dump(select_mechanism(['XOAUTH2', 'OAUTHBEARER', 'SCRAM-SHA-256-PLUS']));
var_dump(select_mechanism(['XOAUTH2', 'OAUTHBEARER'], ['XOAUTH2', 'OAUTHBEARER']));
var_dump(select_mechanism(['XOAUTH2', 'OAUTHBEARER'], ['XOAUTH2', 'OAUTHBEARER'], false));
try {
    select_mechanism(['PLAIN', 42]);
} catch (TypeError $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
?>
--EXPECT--
string(13) "SCRAM-SHA-256"
string(8) "CRAM-MD5"
NULL
string(5) "PLAIN"
string(8) "CRAM-MD5"
string(8) "CRAM-MD5"
NULL
NULL
NULL
NULL
string(11) "OAUTHBEARER"
NULL
TypeError: SqAuth\select_mechanism(): Argument #1 ($offered) must contain only strings, int given
