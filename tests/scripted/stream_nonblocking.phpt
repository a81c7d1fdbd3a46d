--TEST--
Connection::stream() in non-blocking mode never waits: half a security-layer buffer gives '' at once, the whole buffer then reads normally
--EXTENSIONS--
sqauth
--FILE--
<?php
use SqAuth\Connection;
require __DIR__ . '/scripted.inc';

/*
 * A scripted IMAP server doing DIGEST-MD5 with qop=auth-int (RFC 2831), so
 * that after the login every byte it sends is a layer buffer: length, data,
 * HMAC-MD5 MAC. The client's cnonce is fixed (a test option), so this script
 * can compute the exchange in advance.
 */
$user = 'tim';
$pass = 'tanstaaftanstaaf';
$realm = 'fake.example';
$nonce = 'OA6MG9tEQGm2hh';
$cnonce = 'OA6MHXh6VqTrRk';
$uri = 'imap/127.0.0.1';
$H = fn (string $s): string => md5($s, true);
$HEX = fn (string $s): string => md5($s);
$a1 = $H("$user:$realm:$pass") . ":$nonce:$cnonce";
$ha1 = $H($a1);
$z = ':00000000000000000000000000000000';
$response = $HEX(bin2hex($ha1) . ":$nonce:00000001:$cnonce:auth-int:" . $HEX("AUTHENTICATE:$uri$z"));
$rspauth = $HEX(bin2hex($ha1) . ":$nonce:00000001:$cnonce:auth-int:" . $HEX(":$uri$z"));
$kis = $H($ha1 . 'Digest session key to server-to-client signing key magic constant');
function seal(string $kis, int $seq, string $msg): string
{
    $s = pack('N', $seq);
    $mac = substr(hash_hmac('md5', $s . $msg, $kis, true), 0, 10) . "\x00\x01" . $s;
    return pack('N', strlen($msg) + 16) . $msg . $mac;
}
$buffer = seal($kis, 0, "* OK hello through the layer\r\n");
$challenge = "realm=\"$realm\",nonce=\"$nonce\",qop=\"auth-int\",charset=utf-8,algorithm=md5-sess,maxbuf=65536";

$srv = sqauth_fake_server([
    ['send', "* OK [CAPABILITY IMAP4rev1 AUTH=DIGEST-MD5] fake\r\n"],
    ['expect', 'A0001 AUTHENTICATE DIGEST-MD5'],
    ['send', '+ ' . base64_encode($challenge) . "\r\n"],
    ['expect', ''],
    ['send', '+ ' . base64_encode("rspauth=$rspauth") . "\r\n"],
    ['expect', ''],
    ['send', "A0001 OK [CAPABILITY IMAP4rev1] done\r\n"],
    ['sleep', 0.3],
    ['send64', base64_encode(substr($buffer, 0, 20))],   // half a buffer: the length and part of the data
    ['sleep', 2],
    ['send64', base64_encode(substr($buffer, 20))],
    ['hold', 5],
]);
$c = Connection::open("imap://127.0.0.1:{$srv['port']}", ['tls' => 'none', 'timeout' => 10]);
$c->authenticate('DIGEST-MD5', $user, $pass, ['cnonce' => $cnonce, 'qop' => ['auth-int']]);
echo json_encode($c->securityLayer()), "\n";
$s = $c->stream();
usleep(800000);                            // the half buffer has arrived
var_dump(stream_set_blocking($s, false));
$t = microtime(true);
$r = fread($s, 100);
$elapsed = microtime(true) - $t;
echo 'non-blocking fread: ', var_export($r, true), ', at once: ', var_export($elapsed < 0.5, true),
    ', timed_out: ', var_export(stream_get_meta_data($s)['timed_out'], true), "\n";
var_dump(stream_set_blocking($s, true));
echo 'blocking fgets: ', var_export(fgets($s), true), "\n";
$c->close();
$got = sqauth_fake_server_finish($srv);
echo count($got), " lines received by the server\n";
?>
--EXPECT--
{"mechanism":"DIGEST-MD5","qop":"auth-int","cipher":null,"maxbuf_send":65536,"maxbuf_receive":65536}
bool(true)
non-blocking fread: '', at once: true, timed_out: false
bool(true)
blocking fgets: '* OK hello through the layer
'
3 lines received by the server
