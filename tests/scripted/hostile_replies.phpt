--TEST--
Hostile server: over-long lines, greetings of another protocol, malformed replies
--EXTENSIONS--
sqauth
--FILE--
<?php
use SqAuth\Connection;
require __DIR__ . '/scripted.inc';

function run(string $what, string $scheme, array $steps): void
{
    $srv = sqauth_fake_server($steps);
    try {
        $c = Connection::open("$scheme://127.0.0.1:{$srv['port']}", ['timeout' => 5, 'tls' => 'none']);
        $g = $c->greeting();
        echo "$what: connected, greeting of ", strlen($g), " bytes", strlen($g) > 100 ? ' ending "' . substr($g, -32) . '"' : '', "\n";
    } catch (SqAuth\Exception $e) {
        echo "$what: ", sqauth_describe($e), "\n";
        if ($e instanceof SqAuth\ProtocolException) {
            $r = $e->getServerResponse();
            echo '  server response: ', json_encode($r === null || strlen($r) < 100 ? $r : strlen($r) . ' bytes'), "\n";
        }
    }
    sqauth_fake_server_finish($srv);
}

// SQAUTH_CONN_MAX_LINE is 65536
run('IMAP greeting of 70000 bytes', 'imap', [['send', '* OK ' . str_repeat('x', 70000) . "\r\n"], ['hold', 5]]);
run('IMAP CAPABILITY line of 70000 bytes', 'imap', [
    ['send', "* OK hi\r\n"], ['expect', 'A0001 CAPABILITY'],
    ['send', '* CAPABILITY ' . str_repeat('X', 70000) . "\r\n"], ['hold', 5]]);
run('no line end at all', 'pop3', [['send', '+OK ' . str_repeat('x', 70000)], ['hold', 5]]);
run('a line of exactly 65536 bytes is fine', 'pop3', [['send', '+OK ' . str_repeat('x', 65532) . "\r\n"],
    ['expect', 'CAPA'], ['send', "-ERR no\r\n"], ['drain', 5]]);

run('SMTP greeting to imap://', 'imap', [['send', "220 mail.example ESMTP\r\n"], ['hold', 5]]);
run('IMAP greeting to pop3://', 'pop3', [['send', "* OK IMAP4rev1 ready\r\n"], ['hold', 5]]);
run('IMAP greeting to smtp://', 'smtp', [['send', "* OK IMAP4rev1 ready\r\n"], ['hold', 5]]);
run('IMAP BYE greeting', 'imap', [['send', "* BYE too many connections\r\n"], ['hold', 5]]);
run('POP3 -ERR greeting', 'pop3', [['send', "-ERR go away\r\n"], ['hold', 5]]);
run('SMTP 554 greeting', 'smtp', [['send', "554 5.7.1 no service\r\n"], ['hold', 5]]);
run('NUL byte in the greeting', 'imap', [['send', "* OK he\0llo\r\n"], ['hold', 5]]);
run('SMTP reply lines with different codes', 'smtp', [['send', "220-hello\r\n250 there\r\n"], ['hold', 5]]);
run('IMAP tagged reply that is neither OK, NO nor BAD', 'imap', [
    ['send', "* OK hi\r\n"], ['expect', 'A0001 CAPABILITY'], ['send', "A0001 MAYBE\r\n"], ['hold', 5]]);
run('IMAP reply with another tag', 'imap', [
    ['send', "* OK hi\r\n"], ['expect', 'A0001 CAPABILITY'], ['send', "A0002 OK done\r\n"], ['hold', 5]]);
run('IMAP CAPABILITY with a control character', 'imap', [
    ['send', "* OK hi\r\n"], ['expect', 'A0001 CAPABILITY'], ['send', "* CAPABILITY IMAP4rev1 A\x01B\r\n"], ['hold', 5]]);
?>
--EXPECT--
IMAP greeting of 70000 bytes: SqAuth\ProtocolException (15): the server sent a line longer than 65536 bytes
  server response: null
IMAP CAPABILITY line of 70000 bytes: SqAuth\ProtocolException (15): the server sent a line longer than 65536 bytes
  server response: null
no line end at all: SqAuth\ProtocolException (15): the server sent a line longer than 65536 bytes
  server response: null
a line of exactly 65536 bytes is fine: connected, greeting of 8219 bytes ending "xxxxx... [cut: 57344 more bytes]"
SMTP greeting to imap://: SqAuth\ProtocolException (15): not an IMAP greeting: 220 mail.example ESMTP
  server response: "220 mail.example ESMTP"
IMAP greeting to pop3://: SqAuth\ProtocolException (15): the POP3 server refused the connection: * OK IMAP4rev1 ready
  server response: "* OK IMAP4rev1 ready"
IMAP greeting to smtp://: SqAuth\ProtocolException (15): malformed SMTP reply: * OK IMAP4rev1 ready
  server response: "* OK IMAP4rev1 ready"
IMAP BYE greeting: SqAuth\ProtocolException (15): the IMAP server refused the connection: * BYE too many connections
  server response: "* BYE too many connections"
POP3 -ERR greeting: SqAuth\ProtocolException (15): the POP3 server refused the connection: -ERR go away
  server response: "-ERR go away"
SMTP 554 greeting: SqAuth\ProtocolException (15): the SMTP server refused the connection: 554 5.7.1 no service
  server response: "554 5.7.1 no service"
NUL byte in the greeting: SqAuth\ProtocolException (15): the server sent a NUL byte
  server response: null
SMTP reply lines with different codes: SqAuth\ProtocolException (15): SMTP reply lines with different codes (220, 250)
  server response: "220-hello"
IMAP tagged reply that is neither OK, NO nor BAD: SqAuth\ProtocolException (15): malformed tagged IMAP reply: A0001 MAYBE
  server response: "A0001 MAYBE"
IMAP reply with another tag: SqAuth\ProtocolException (15): unexpected IMAP reply to CAPABILITY: A0002 OK done
  server response: "A0002 OK done"
IMAP CAPABILITY with a control character: SqAuth\ProtocolException (15): malformed IMAP capability list
  server response: "* CAPABILITY IMAP4rev1 A\u0001B"
