--TEST--
contrib/symfony-mailer: Symfony Mailer's EsmtpTransport sends through Dovecot's submission with SCRAM-SHA-256 and SCRAM-SHA-1 (STARTTLS and implicit TLS); the messages arrive
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
$env = require __DIR__ . '/env.inc';

use SqAuth\Contrib\SymfonyMailer\ScramAuthenticator;
use Symfony\Component\Mailer\Transport\Smtp\EsmtpTransport;
use Symfony\Component\Mime\Email;

$u = $env['SQAUTH_TEST_USER'];
$p = $env['SQAUTH_TEST_PASS'];
$ssl = ['ssl' => ['cafile' => $env['SQAUTH_TEST_CA'], 'verify_peer' => true, 'verify_peer_name' => true]];
$ports = [
    'submission STARTTLS' => [(int)$env['SQAUTH_TEST_SUBMISSION_PORT'], false],
    'submissions (implicit TLS)' => [(int)$env['SQAUTH_TEST_SUBMISSIONS_PORT'], true],
];
foreach ($ports as $label => [$port, $implicit]) {
    foreach (ScramAuthenticator::MECHANISMS as $mech) {
        $transport = new EsmtpTransport('localhost', $port, $implicit);
        $transport->getStream()->setStreamOptions($ssl);
        $transport->setUsername($u)->setPassword($p);
        ScramAuthenticator::install($transport, [], [$mech]);

        $msgid = sqauth_contrib_message_id();
        $email = (new Email())->from("$u@a.example")->to("$u@a.example")
            ->subject("sqauth contrib symfony $mech")->text('sent by tests/live/contrib_symfony_mailer.phpt');
        $email->getHeaders()->addIdHeader('Message-ID', trim($msgid, '<>'));
        $sent = $transport->send($email);
        $debug = $sent->getDebug();
        printf("%s, %s: AUTH %s, STARTTLS %s, password in the debug log: %s, in INBOX: %s\n", $label, $mech,
            preg_match('/^> AUTH (\S+) /m', $debug, $m) ? $m[1] : '(none)',
            str_contains($debug, "> STARTTLS") ? 'yes' : 'no',
            str_contains($debug, $p) || str_contains($debug, base64_encode($p)) ? 'yes' : 'no',
            sqauth_contrib_in_inbox($env, $msgid) ? 'yes' : 'no');
        unset($transport);
    }
}

echo "-- the order: install() puts SCRAM ahead of Symfony's own (CRAM-MD5, LOGIN, PLAIN, XOAUTH2)\n";
$transport = new EsmtpTransport('localhost', (int)$env['SQAUTH_TEST_SUBMISSIONS_PORT'], true);
$transport->getStream()->setStreamOptions($ssl);
$transport->setUsername($u)->setPassword($p);
ScramAuthenticator::install($transport);
ScramAuthenticator::install($transport);     // a second call replaces, it does not duplicate
$list = (new ReflectionProperty(EsmtpTransport::class, 'authenticators'))->getValue($transport);
echo implode(' ', array_map(fn ($a) => $a->getAuthKeyword(), $list)), "\n";
$msgid = sqauth_contrib_message_id();
$email = (new Email())->from("$u@a.example")->to("$u@a.example")->subject('sqauth contrib symfony auto')->text('x');
$email->getHeaders()->addIdHeader('Message-ID', trim($msgid, '<>'));
$debug = $transport->send($email)->getDebug();
echo preg_match('/^> AUTH (\S+) /m', $debug, $m) ? $m[1] : '(none)', ', in INBOX: ', sqauth_contrib_in_inbox($env, $msgid) ? 'yes' : 'no', "\n";

echo 'a Message-ID never sent, in INBOX: ', sqauth_contrib_in_inbox($env, sqauth_contrib_message_id()) ? 'yes' : 'no', "\n";

echo "-- a wrong password: Symfony's own TransportException, after trying the others\n";
$transport = new EsmtpTransport('localhost', (int)$env['SQAUTH_TEST_SUBMISSIONS_PORT'], true);
$transport->getStream()->setStreamOptions($ssl);
$transport->setUsername($u)->setPassword('wrong');
ScramAuthenticator::install($transport, [], ['SCRAM-SHA-256']);
try {
    $transport->send((new Email())->from("$u@a.example")->to("$u@a.example")->subject('never')->text('x'));
} catch (Throwable $e) {
    $msg = $e->getMessage();
    echo get_class($e), "\n";
    echo 'tried: ', preg_match('/the following authenticators: (.*?)\. Authenticator/', $msg, $m) ? $m[1] : $msg, "\n";
    echo 'SCRAM-SHA-256: ', preg_match('/Authenticator "SCRAM-SHA-256" returned "Expected response code "334\/235" but got code "(\d+)"/', $msg, $m) ? $m[1] : $msg, "\n";
    echo 'password in the message: ', str_contains($msg, 'wrong') ? 'yes' : 'no', "\n";
}

echo "-- no -PLUS: the transport does not expose the TLS channel\n";
try {
    new ScramAuthenticator('SCRAM-SHA-256-PLUS');
} catch (InvalidArgumentException $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
try {
    new ScramAuthenticator('CRAM-MD5');
} catch (InvalidArgumentException $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
?>
--EXPECT--
submission STARTTLS, SCRAM-SHA-256: AUTH SCRAM-SHA-256, STARTTLS yes, password in the debug log: no, in INBOX: yes
submission STARTTLS, SCRAM-SHA-1: AUTH SCRAM-SHA-1, STARTTLS yes, password in the debug log: no, in INBOX: yes
submissions (implicit TLS), SCRAM-SHA-256: AUTH SCRAM-SHA-256, STARTTLS no, password in the debug log: no, in INBOX: yes
submissions (implicit TLS), SCRAM-SHA-1: AUTH SCRAM-SHA-1, STARTTLS no, password in the debug log: no, in INBOX: yes
-- the order: install() puts SCRAM ahead of Symfony's own (CRAM-MD5, LOGIN, PLAIN, XOAUTH2)
SCRAM-SHA-256 SCRAM-SHA-1 CRAM-MD5 LOGIN PLAIN XOAUTH2
SCRAM-SHA-256, in INBOX: yes
a Message-ID never sent, in INBOX: no
-- a wrong password: Symfony's own TransportException, after trying the others
Symfony\Component\Mailer\Exception\TransportException
tried: "SCRAM-SHA-256", "CRAM-MD5", "LOGIN", "PLAIN", "XOAUTH2"
SCRAM-SHA-256: 535
password in the message: no
-- no -PLUS: the transport does not expose the TLS channel
InvalidArgumentException: SCRAM-SHA-256-PLUS needs TLS channel binding data, which Symfony Mailer's transport does not expose; use SCRAM-SHA-256
InvalidArgumentException: CRAM-MD5 is not one of SCRAM-SHA-256, SCRAM-SHA-1
