--TEST--
Connection::stream() after close() or release(): stream_select() finds it readable at once and it reads as ended, with no warning (there is no socket left to offer, so the stream offers one that is always at its end)
--EXTENSIONS--
sqauth
--FILE--
<?php
set_error_handler(function (int $no, string $msg) { echo "PHP warning: $msg\n"; return true; });

foreach (['close', 'release'] as $how) {
    [$a, $b] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, 0);
    fwrite($b, "* OK [CAPABILITY IMAP4rev1] hi\r\n* BYE\r\nA0001 OK bye\r\n");
    $c = SqAuth\Connection::fromStream($a, 'imap', ['tls' => 'none']);
    $s = $c->stream();
    $c->$how();
    $r = [$s];
    $w = $e = null;
    // readable: 1 at once (an unreadable one would give 0 after 5 s)
    echo "$how: select ", var_export(stream_select($r, $w, $e, 5), true), ', readable ', count($r), "\n";
    var_dump(fread($s, 10), feof($s));
    // a stream still open next to it: select() works on the pair as usual
    [$x, $y] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, 0);
    $r = [$s, $x];
    echo "with an idle socket: ", stream_select($r, $w, $e, 0), " ready, ", $r === [$s] ? 'the ended stream' : 'other', "\n";
}
?>
--EXPECT--
close: select 1, readable 1
string(0) ""
bool(true)
with an idle socket: 1 ready, the ended stream
release: select 1, readable 1
string(0) ""
bool(true)
with an idle socket: 1 ready, the ended stream
