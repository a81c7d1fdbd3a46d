--TEST--
After authenticate() the stream carries on: IMAP SELECT; a message sent over submission is found over IMAP
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
use SqAuth\Connection;
$env = require __DIR__ . '/env.inc';

$u = $env['SQAUTH_TEST_USER'];
$p = $env['SQAUTH_TEST_PASS'];
$opts = ['cafile' => $env['SQAUTH_TEST_CA']];

/* Sends an IMAP command, returns the untagged lines and the tagged one. */
function imap($s, string $tag, string $cmd): array
{
    fputs($s, "$tag $cmd\r\n");
    $lines = [];
    while (($l = fgets($s)) !== false) {
        $lines[] = rtrim($l, "\r\n");
        if (str_starts_with($l, "$tag ")) {
            break;
        }
    }
    return $lines;
}
/* Reads one SMTP reply, returns its last line. */
function smtp($s, ?string $cmd = null): string
{
    if ($cmd !== null) {
        fputs($s, "$cmd\r\n");
    }
    while (($l = fgets($s)) !== false && $l[3] === '-') {
    }
    return rtrim((string)$l, "\r\n");
}

echo "== IMAP\n";
$c = Connection::open("imap://localhost:{$env['SQAUTH_TEST_IMAP_PORT']}", $opts);
$c->authenticate('SCRAM-SHA-256', $u, $p);
$s = $c->stream();
$r = imap($s, 'X1', 'SELECT INBOX');
echo preg_replace('/\(.*secs\)\./', '', end($r)), "\n";
var_dump((bool)preg_grep('/^\* \d+ EXISTS$/', $r));

echo "== submission\n";
$subject = 'sqauth auth_stream_after ' . bin2hex(random_bytes(8));
$msgid = '<' . bin2hex(random_bytes(8)) . '@sqauth.test>';
$c = Connection::open("submission://localhost:{$env['SQAUTH_TEST_SUBMISSION_PORT']}", $opts);
$c->authenticate('auto', $u, $p);
$s = $c->stream();
echo substr(smtp($s, "MAIL FROM:<$u@a.example>"), 0, 3), "\n";
echo substr(smtp($s, "RCPT TO:<$u@a.example>"), 0, 3), "\n";
echo substr(smtp($s, "DATA"), 0, 3), "\n";
fputs($s, "From: <$u@a.example>\r\nTo: <$u@a.example>\r\nSubject: $subject\r\nMessage-ID: $msgid\r\n"
    . "\r\nsent by tests/live/auth_stream_after.phpt\r\n.\r\n");
echo substr(smtp($s), 0, 3), "\n";
echo substr(smtp($s, "QUIT"), 0, 3), "\n";
fclose($s);

echo "== read back over IMAPS\n";
$c = Connection::open("imaps://localhost:{$env['SQAUTH_TEST_IMAPS_PORT']}", $opts);
$c->authenticate('PLAIN', $u, $p);
$s = $c->stream();
$found = null;
for ($i = 0; $i < 40 && $found === null; $i++) {
    $r = imap($s, "S$i", 'EXAMINE INBOX');
    $r = imap($s, "T$i", "UID SEARCH HEADER Message-ID \"$msgid\"");
    foreach ($r as $l) {
        if (preg_match('/^\* SEARCH (\d+)/', $l, $m)) {
            $found = $m[1];
        }
    }
    if ($found === null) {
        usleep(250000);
    }
}
var_dump($found !== null);
$r = imap($s, 'F1', "UID FETCH $found (BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
var_dump((bool)preg_grep('/^Subject: ' . preg_quote($subject, '/') . '$/', $r));
?>
--EXPECT--
== IMAP
X1 OK [READ-WRITE] Select completed 
bool(true)
== submission
250
250
354
250
221
== read back over IMAPS
bool(true)
bool(true)
