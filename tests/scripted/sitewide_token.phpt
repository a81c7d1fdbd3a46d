--TEST--
Connection::authenticate() on an SMTP connection with the site-wide account (smtp_user): a token mechanism is refused before anything is sent (the site-wide account has a password, the token is the caller's), 'auto' picks a password mechanism for the site-wide account even when 'allowed' names token mechanisms
--EXTENSIONS--
sqauth
--FILE--
<?php
require __DIR__ . '/scripted.inc';

/*
 * The site-wide account replaces the caller's user name and password. A
 * token mechanism carries the caller's token: sent with the site-wide
 * account's name it would be a login that is neither the caller's nor
 * the site's (the user name of one, the credential of the other).
 */
$smtp = [['send', "220 fake ESMTP\r\n"], ['expect', 'EHLO '], ['send', "250-fake\r\n250 AUTH XOAUTH2 OAUTHBEARER PLAIN\r\n"]];
$opts = ['tls' => 'none', 'timeout' => 5, 'smtp_user' => 'site', 'smtp_password' => 'S1te-Secret'];
foreach (['XOAUTH2', 'OAUTHBEARER'] as $mech) {
    $srv = sqauth_fake_server(array_merge($smtp, [['expect', ''], ['send', "535 5.7.8 no\r\n"], ['expect', '']]));
    $c = SqAuth\Connection::open("smtp://127.0.0.1:{$srv['port']}", $opts);
    try {
        $c->authenticate($mech, 'alice', '', ['token' => 'alice-token', 'allow_plaintext' => true]);
        echo "$mech: logged in\n";
    } catch (SqAuth\Exception $e) {
        echo "$mech: ", sqauth_describe($e), "\n";
    }
    $c->close();
    $got = sqauth_fake_server_finish($srv);
    echo '  server got: ', json_encode(array_map(
        fn ($l) => preg_match('/^AUTH \S+ (\S+)/', $l, $m) ? "AUTH ... " . base64_decode($m[1]) : $l,
        preg_grep('/^EHLO /', $got, PREG_GREP_INVERT))), "\n";
}
// 'auto' with token mechanisms allowed: the site-wide account's password mechanism
$srv = sqauth_fake_server(array_merge($smtp, [['expect', 'AUTH '], ['send', "235 2.7.0 ok\r\n"], ['expect', '']]));
$c = SqAuth\Connection::open("smtp://127.0.0.1:{$srv['port']}", $opts);
$c->authenticate('auto', 'alice', '', ['token' => 'alice-token', 'allow_plaintext' => true,
    'allowed' => ['XOAUTH2', 'OAUTHBEARER', 'PLAIN']]);
echo "auto: logged in\n";
$c->close();
$got = sqauth_fake_server_finish($srv);
echo '  server got: ', json_encode(array_map(
    fn ($l) => preg_match('/^AUTH \S+ (\S+)/', $l, $m) ? "AUTH ... " . str_replace("\0", '\0', base64_decode($m[1])) : $l,
    preg_grep('/^EHLO /', $got, PREG_GREP_INVERT))), "\n";
?>
--EXPECT--
XOAUTH2: SqAuth\SaslException (9): XOAUTH2 cannot log in the site-wide SMTP account ('smtp_user'): it has a password, and the token is the caller's; use a password mechanism
  server got: {"1":"QUIT","2":"<eof>"}
OAUTHBEARER: SqAuth\SaslException (9): OAUTHBEARER cannot log in the site-wide SMTP account ('smtp_user'): it has a password, and the token is the caller's; use a password mechanism
  server got: {"1":"QUIT","2":"<eof>"}
auto: logged in
  server got: {"1":"AUTH ... \\0site\\0S1te-Secret","2":"QUIT"}
