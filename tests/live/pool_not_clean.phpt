--TEST--
Pooled connections against Dovecot: a connection with a reply left unread, left in IDLE, with a literal half read, inside an APPEND literal, after ENABLE or NOTIFY (their effect lasts for the session: no check can undo it), with a failed stream, or not released at all is logged out, never pooled; the next caller gets a fresh login that works
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
use SqAuth\Connection;

$env = require __DIR__ . '/env.inc';
require __DIR__ . '/pool.inc';
$user = pool_user(3);
$pass = $env['SQAUTH_TEST_POOL_PASS'];
$imaps = pool_uri($env, 'imaps', 'IMAPS');
// 'timeout' bounds the release check's wait (the APPEND case: the server waits for the literal)
$tls = pool_tls($env, ['timeout' => 2]);

/* Delivers one message to $user over submission, to have a body to fetch. */
$c = Connection::open(pool_uri($env, 'submissions', 'SUBMISSIONS'), pool_tls($env));
$c->authenticate('PLAIN', $user, $pass);
$s = $c->stream();
foreach (["MAIL FROM:<$user@a.example>", "RCPT TO:<$user@a.example>", 'DATA'] as $cmd) {
    fwrite($s, "$cmd\r\n");
    fgets($s);
}
fwrite($s, "Subject: pool_not_clean.phpt\r\n\r\n" . str_repeat("a line of the body\r\n", 50) . ".\r\n");
fgets($s);
$c->close();
for ($i = 0; $i < 100; $i++) {
    $c = Connection::open($imaps, pool_tls($env));
    $c->login($user, $pass);
    $exists = preg_match('/MESSAGES (\d+)/', implode('', (function ($s) {
        fwrite($s, "st STATUS INBOX (MESSAGES)\r\n");
        $out = [];
        while (($l = fgets($s)) !== false && !str_starts_with($l, 'st ')) {
            $out[] = $l;
        }
        return $out;
    })($c->stream())), $m) ? (int)$m[1] : 0;
    $c->close();
    if ($exists > 0) {
        break;
    }
    usleep(50000);
}
echo $exists > 0 ? "a message to fetch\n" : "no message arrived\n";

$cases = [
    'a reply left unread' => function ($s) {
        fwrite($s, "a1 NOOP\r\n");
    },
    'a reply still on its way' => function ($s) {
        fwrite($s, "a1 SELECT INBOX\r\n");   // released at once: the reply may not be there yet
    },
    'in IDLE' => function ($s) {
        pool_imap($s, 's', 'SELECT INBOX');
        fwrite($s, "i1 IDLE\r\n");
        fgets($s);                            // "+ idling"
    },
    'a literal half read' => function ($s) {
        pool_imap($s, 's', 'SELECT INBOX');
        fwrite($s, "f1 FETCH 1 BODY[]\r\n");
        fgets($s);                            // "* 1 FETCH (BODY[] {n}", the body not read
    },
    'inside an APPEND literal' => function ($s) {
        fwrite($s, "a1 APPEND INBOX {100}\r\n");
        fgets($s);                            // "+ OK": the server now waits for 100 bytes
    },
    'an extension enabled (ENABLE)' => function ($s) {
        pool_imap($s, 'e', 'ENABLE QRESYNC'); // for the rest of the session: EXPUNGE becomes VANISHED
    },
    'notifications set (NOTIFY)' => function ($s) {
        // for the rest of the session: no EXISTS for the mailbox the next caller selects
        pool_imap($s, 'n', 'NOTIFY SET (personal (MessageNew))');
    },
    'the PHP stream holds unread bytes' => function ($s) {
        fwrite($s, "a1 NOOP\r\n");
        usleep(100000);
        stream_set_blocking($s, false);
        fgets($s, 3);                         // PHP reads ahead a whole chunk, hands out 2 bytes
        stream_set_blocking($s, true);
    },
];
foreach ($cases as $what => $leave) {
    $f = SqAuth\features();
    $c = Connection::pooledLogin($imaps, $user, $pass, $tls);
    $s = $c->stream();
    $leave($s);
    $c->release();
    $after = pool_delta($f);
    $d = Connection::pooledLogin($imaps, $user, $pass, $tls);
    $ds = $d->stream();
    printf("%-34s %s; next: %s, %s\n", $what, $after, $d->isReused() ? 'reused' : 'fresh', pool_imap($ds, 'n', 'NOOP') === 'EOF' ? 'EOF' : 'NOOP ok');
    $d->release();
    // the fresh one is clean: pooled; take it out of the way for the next case
    $d = Connection::pooledLogin($imaps, $user, $pass, $tls);
    $d->close();
}

echo "-- not released: logged out when the object goes\n";
$f = SqAuth\features();
$c = Connection::pooledLogin($imaps, $user, $pass, $tls);
unset($c);
echo pool_delta($f), "\n";
echo 'server sessions: ', json_encode(pool_sessions_settled($env, $user, [])), "\n";
$c = Connection::pooledLogin($imaps, $user, $pass, $tls);
$s = $c->stream();
fclose($s);                                    // its stream closed: the same
echo 'server sessions: ', json_encode(pool_sessions_settled($env, $user, [])), "\n";
$c->release();
echo pool_delta($f), "\n";
?>
--EXPECT--
a message to fetch
a reply left unread                misses +1, discards +1, entries 0; next: fresh, NOOP ok
a reply still on its way           misses +1, discards +1, entries 0; next: fresh, NOOP ok
in IDLE                            misses +1, discards +1, entries 0; next: fresh, NOOP ok
a literal half read                misses +1, discards +1, entries 0; next: fresh, NOOP ok
inside an APPEND literal           misses +1, discards +1, entries 0; next: fresh, NOOP ok
an extension enabled (ENABLE)      misses +1, discards +1, entries 0; next: fresh, NOOP ok
notifications set (NOTIFY)         misses +1, discards +1, entries 0; next: fresh, NOOP ok
the PHP stream holds unread bytes  misses +1, discards +1, entries 0; next: fresh, NOOP ok
-- not released: logged out when the object goes
misses +1, entries 0
server sessions: []
server sessions: []
misses +2, entries 0
