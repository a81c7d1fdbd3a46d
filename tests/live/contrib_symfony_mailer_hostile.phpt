--TEST--
contrib/symfony-mailer against a scripted server: a wrong SCRAM server signature or a login without one stops the send (SaslException, cancel, connection closed, no fallback to other mechanisms); a right one goes on to MAIL FROM; credentials SASLprep refuses are a TransportException, so Symfony goes on with its next authenticator; -PLUS alone is not used
--EXTENSIONS--
sqauth
--SKIPIF--
<?php
require __DIR__ . '/skipif.inc';
require __DIR__ . '/contrib.inc';
sqauth_contrib_skipif('/usr/share/php/Symfony/Component/Mailer/autoload.php', 'php-symfony-mailer');
?>
--FILE--
<?php
require __DIR__ . '/contrib.inc';
sqauth_contrib_with_system_ini(__FILE__);
require '/usr/share/php/Symfony/Component/Mailer/autoload.php';
require dirname(__DIR__, 2) . '/contrib/symfony-mailer/ScramAuthenticator.php';
require __DIR__ . '/fake_server.inc';

use SqAuth\Contrib\SymfonyMailer\ScramAuthenticator;
use Symfony\Component\Mailer\Transport\Smtp\EsmtpTransport;
use Symfony\Component\Mime\Email;

/* Sends one message as user/pencil (RFC 7677) to the scripted server. */
function send_to(array $steps, array $mechanisms = ['SCRAM-SHA-256'], string $user = 'user', string $password = 'pencil'): void
{
    $srv = sqauth_fake_server($steps);
    $t = new EsmtpTransport('127.0.0.1', $srv['port'], false);
    $t->getStream()->setTimeout(10);
    $t->setUsername($user)->setPassword($password);
    ScramAuthenticator::install($t, ['cnonce' => SQAUTH_RFC7677_CNONCE], $mechanisms);
    try {
        $t->send((new Email())->from('user@a.example')->to('user@a.example')->subject('s')->text('t'));
        echo "sent\n";
    } catch (Throwable $e) {
        echo get_class($e), ' (', $e->getCode(), '): ', $e->getMessage(), "\n";
        if (str_contains($e->getMessage(), $password)) {
            echo "the message holds the password\n";
        }
    }
    unset($t);   // Symfony sends QUIT from its destructor, if the login went through
    echo 'server got: ', sqauth_contrib_received(sqauth_fake_server_finish($srv)), "\n";
}

echo "-- wrong server signature\n";
send_to(array_merge(sqauth_contrib_scram_script('SCRAM-SHA-256 PLAIN LOGIN CRAM-MD5',
        '334 ' . base64_encode('v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=')),
    [['expect', "*\r\n"], ['send', "501 5.5.4 cancelled\r\n"], ['drain', 5]]));

echo "-- 235 without a server signature\n";
send_to(array_merge(sqauth_contrib_scram_script('SCRAM-SHA-256 PLAIN', '235 2.7.0 ok'), [['drain', 5]]));

echo "-- a server-final message that is not base64\n";
send_to(array_merge(sqauth_contrib_scram_script('SCRAM-SHA-256 PLAIN', '334 v=not base64!'),
    [['expect', "*\r\n"], ['send', "501 5.5.4 cancelled\r\n"], ['drain', 5]]));

echo "-- SCRAM e=: the server refused, Symfony carries on with the next authenticator\n";
send_to(array_merge(sqauth_contrib_scram_script('SCRAM-SHA-256 PLAIN', '334 ' . base64_encode('e=invalid-proof')),
    [['expect', "*\r\n"], ['send', "501 5.5.4 cancelled\r\n"], ['expect', "RSET\r\n"], ['send', "250 ok\r\n"],
     ['expect', 'AUTH PLAIN '], ['send', "535 5.7.8 no\r\n"], ['expect', "RSET\r\n"], ['send', "250 ok\r\n"], ['drain', 5]]));

// Credentials SCRAM cannot use (SASLprep refuses them) are not the server's doing: Symfony goes on
// with its next authenticator, as for its own ones, instead of an exception it does not know.
echo "-- a password that is not UTF-8 (SASLprep): cancelled, Symfony carries on with the next authenticator\n";
send_to(array_merge(array_slice(sqauth_contrib_scram_script('SCRAM-SHA-256 PLAIN', ''), 0, 5),
    [['expect', "*\r\n"], ['send', "501 5.5.4 cancelled\r\n"], ['expect', "RSET\r\n"], ['send', "250 ok\r\n"],
     ['expect', 'AUTH PLAIN '], ['send', "535 5.7.8 no\r\n"], ['expect', "RSET\r\n"], ['send', "250 ok\r\n"], ['drain', 5]]),
    ['SCRAM-SHA-256'], 'user', "p\xe4ssword");

echo "-- a user name SASLprep refuses: no SCRAM exchange, Symfony carries on with the next authenticator\n";
send_to([['send', "220 fake.test ESMTP\r\n"], ['expect', 'EHLO '], ['send', "250-fake.test\r\n250 AUTH SCRAM-SHA-256 PLAIN\r\n"],
    ['expect', "RSET\r\n"], ['send', "250 ok\r\n"], ['expect', 'AUTH PLAIN '], ['send', "535 5.7.8 no\r\n"],
    ['expect', "RSET\r\n"], ['send', "250 ok\r\n"], ['drain', 5]], ['SCRAM-SHA-256'], "\u{05D0}1");

echo "-- the right server signature: the login completes and the send goes on\n";
send_to(array_merge(sqauth_contrib_scram_script('SCRAM-SHA-256', '334 ' . base64_encode(SQAUTH_RFC7677_SERVER_FINAL)),
    [['expect', "\r\n"], ['send', "235 2.7.0 ok\r\n"], ['expect', 'MAIL FROM:'], ['send', "550 5.7.1 not today\r\n"],
     ['expect', "RSET\r\n"], ['send', "250 ok\r\n"], ['expect', "QUIT\r\n"], ['send', "221 bye\r\n"]]));

echo "-- a server offering only SCRAM-SHA-256-PLUS: no authenticator, nothing sent\n";
send_to([['send', "220 fake.test ESMTP\r\n"], ['expect', 'EHLO '], ['send', "250-fake.test\r\n250 AUTH SCRAM-SHA-256-PLUS\r\n"], ['drain', 5]],
    ScramAuthenticator::MECHANISMS);
?>
--EXPECTF--
-- wrong server signature
SqAuth\SaslException (4): SCRAM server signature (v=) does not match: the server did not prove that it knows the password
server got: EHLO <name> | AUTH SCRAM-SHA-256 <client-first> | <client-final> | *
-- 235 without a server signature
SqAuth\SaslException (4): SCRAM-SHA-256: the server accepted the login without proving that it knows the password (no server signature); connection closed
server got: EHLO <name> | AUTH SCRAM-SHA-256 <client-first> | <client-final>
-- a server-final message that is not base64
SqAuth\SaslException (3): SCRAM-SHA-256: the server's challenge is not one line of base64
server got: EHLO <name> | AUTH SCRAM-SHA-256 <client-first> | <client-final> | *
-- SCRAM e=: the server refused, Symfony carries on with the next authenticator
Symfony\Component\Mailer\Exception\TransportException (0): Failed to authenticate on SMTP server with username "user" using the following authenticators: "SCRAM-SHA-256", "PLAIN". Authenticator "SCRAM-SHA-256" returned "SCRAM-SHA-256: the server refused the login (SCRAM server error: invalid-proof)". Authenticator "PLAIN" returned "Expected response code "235" but got code "535", with message "535 5.7.8 no".".
server got: EHLO <name> | AUTH SCRAM-SHA-256 <client-first> | <client-final> | * | RSET | AUTH PLAIN %s | RSET
-- a password that is not UTF-8 (SASLprep): cancelled, Symfony carries on with the next authenticator
Symfony\Component\Mailer\Exception\TransportException (0): Failed to authenticate on SMTP server with username "user" using the following authenticators: "SCRAM-SHA-256", "PLAIN". Authenticator "SCRAM-SHA-256" returned "SCRAM-SHA-256 cannot be used with this user name or password (SASLprep of the password failed: it is not valid UTF-8)". Authenticator "PLAIN" returned "Expected response code "235" but got code "535", with message "535 5.7.8 no".".
server got: EHLO <name> | AUTH SCRAM-SHA-256 <client-first> | * | RSET | AUTH PLAIN %s | RSET
-- a user name SASLprep refuses: no SCRAM exchange, Symfony carries on with the next authenticator
Symfony\Component\Mailer\Exception\TransportException (0): Failed to authenticate on SMTP server with username "א1" using the following authenticators: "SCRAM-SHA-256", "PLAIN". Authenticator "SCRAM-SHA-256" returned "SCRAM-SHA-256 cannot be used with this user name or password (SASLprep of the user name failed: it breaks the bidirectional text rules (RFC 3454 section 6))". Authenticator "PLAIN" returned "Expected response code "235" but got code "535", with message "535 5.7.8 no".".
server got: EHLO <name> | RSET | AUTH PLAIN %s | RSET
-- the right server signature: the login completes and the send goes on
Symfony\Component\Mailer\Exception\TransportException (550): Expected response code "250" but got code "550", with message "550 5.7.1 not today".
server got: EHLO <name> | AUTH SCRAM-SHA-256 <client-first> | <client-final> | <empty line> | MAIL FROM:<...> | RSET | QUIT
-- a server offering only SCRAM-SHA-256-PLUS: no authenticator, nothing sent
Symfony\Component\Mailer\Exception\TransportException (0): Failed to find an authenticator supported by the SMTP server, which currently supports: "scram-sha-256-plus".
server got: EHLO <name>
