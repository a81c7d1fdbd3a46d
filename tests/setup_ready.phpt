--TEST--
tests/setup/ready.php: a server is ready only once it greets with its mechanisms; a login process still waiting for its auth process (or one listing no AUTH=) is reported by name with what it said, control characters escaped
--FILE--
<?php
require __DIR__ . '/live/fake_server.inc';

function ready(array $endpoints, float $timeout): array
{
    $cmd = [PHP_BINARY, '-n', __DIR__ . '/setup/ready.php', "--timeout=$timeout"];
    $p = proc_open(array_merge($cmd, $endpoints), [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
    $out = stream_get_contents($pipes[1]);
    $err = stream_get_contents($pipes[2]);
    fclose($pipes[1]);
    fclose($pipes[2]);
    return [proc_close($p), $out, $err];
}

echo "-- Dovecot's answer while its login process waits for auth\n";
$srv = sqauth_fake_server([['send', "* OK Waiting for authentication process to respond..\x1b[31m\r\n"], ['hold', 5]]);
[$rc, $out, $err] = ready(["main-imap=imap://127.0.0.1:{$srv['port']}"], 0.5);
sqauth_fake_server_finish($srv);
var_dump($rc, $out);
echo str_replace((string)$srv['port'], 'PORT', $err);

echo "-- a greeting without mechanisms\n";
$srv = sqauth_fake_server([['send', "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] hi\r\n"], ['hold', 5]]);
[$rc, $out, $err] = ready(["x=imap://127.0.0.1:{$srv['port']}"], 0.5);
sqauth_fake_server_finish($srv);
var_dump($rc);
echo str_replace((string)$srv['port'], 'PORT', $err);

echo "-- a real greeting\n";
$srv = sqauth_fake_server([['send', "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=SCRAM-SHA-256] hi\r\n"], ['hold', 5]]);
[$rc, $out, $err] = ready(["x=imap://127.0.0.1:{$srv['port']}"], 5);
sqauth_fake_server_finish($srv);
var_dump($rc, $err);
echo preg_replace('/in [0-9.]+ s/', 'in T s', $out);

echo "-- SMTP: EHLO must be answered\n";
$srv = sqauth_fake_server([['send', "220 relay\r\n"], ['expect', 'EHLO '], ['send', "250-relay\r\n250 SIZE 1000\r\n"],
    ['expect', 'QUIT'], ['send', "221 bye\r\n"]]);
[$rc, $out, $err] = ready(["relay=smtp://127.0.0.1:{$srv['port']}"], 5);
var_dump($rc, sqauth_fake_server_finish($srv));

echo "-- ManageSieve without STARTTLS\n";
$srv = sqauth_fake_server([['send', "\"IMPLEMENTATION\" \"x\"\r\n\"SASL\" \"\"\r\nOK\r\n"], ['hold', 5]]);
[$rc, $out, $err] = ready(["sieve=sieve+starttls://127.0.0.1:{$srv['port']}"], 0.5);
sqauth_fake_server_finish($srv);
var_dump($rc);
echo str_replace((string)$srv['port'], 'PORT', $err);

echo "-- bad usage\n";
[$rc, $out, $err] = ready(["x=gopher://127.0.0.1:1"], 1);
var_dump($rc);
echo strtok($err, "\n"), "\n";
?>
--EXPECTF--
-- Dovecot's answer while its login process waits for auth
int(1)
string(0) ""
not ready after %d s (1 of 1 endpoints):
  main-imap imap://127.0.0.1:PORT: %s (earlier: unexpected answer "* OK Waiting for authentication process to respond..\x1b[31m")
-- a greeting without mechanisms
int(1)
not ready after %d s (1 of 1 endpoints):
  x imap://127.0.0.1:PORT: %s (earlier: the greeting lists no AUTH= mechanism: "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] hi")
-- a real greeting
int(0)
string(0) ""
ready: 1 endpoints in T s
-- SMTP: EHLO must be answered
int(0)
array(2) {
  [0]=>
  string(16) "EHLO ready.probe"
  [1]=>
  string(4) "QUIT"
}
-- ManageSieve without STARTTLS
int(1)
not ready after %d s (1 of 1 endpoints):
  sieve sieve+starttls://127.0.0.1:PORT: %s
-- bad usage
int(2)
ready.php: unknown kind "gopher" in x=gopher://127.0.0.1:1
