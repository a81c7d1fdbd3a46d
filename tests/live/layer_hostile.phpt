--TEST--
DIGEST-MD5 layers against hostile Cyrus servers (tampered MAC, replay, truncation, cleartext, oversize): the stream ends at once (EOF, no warning, no hang), the connection is closed for I/O and the next Connection method that talks to the server throws ConnectionException 13 naming the reason
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
$env = require __DIR__ . '/env.inc';
require __DIR__ . '/layer.inc';
set_error_handler(function (int $no, string $msg) { echo "PHP WARNING: $msg\n"; return true; });

/*
 * A PHP stream can only report false/'' and EOF, so the reason for the end
 * is kept: the failure closes the connection for I/O, the stream's metadata
 * shows it (code 17, SQAUTH_ERR_INTEGRITY, for a bad MAC or sequence number,
 * 15 for a length above our maxbuf or a connection closed inside a buffer),
 * and the next Connection method that talks to the server throws
 * ConnectionException 13 "the connection is closed after an earlier
 * failure: <it>"; securityLayer() and the other reports keep answering.
 * Each server misbehaves on its first encoded reply
 * (tests/setup/cyrus/README.md, "Evil modes").
 */
$data = 'HELLO' . layer_data(8192 - 5);   // the cleartext server's echo starts "HELL" = 0x48454c4c as a length
foreach (['TAMPER', 'REPLAY', 'TRUNCATE', 'CLEARTEXT', 'OVERSIZE'] as $name) {
    foreach ([[], ['qop' => ['auth-int']], ['cipher' => '3des']] as $opts) {
        $c = layer_open($env, $name);
        $c->authenticate('DIGEST-MD5', $env['SQAUTH_TEST_USER'], $env['SQAUTH_TEST_PASS'], $opts);
        $l = $c->securityLayer();
        echo "== $name {$l['qop']} ", $l['cipher'] ?? '-', "\n";
        $s = $c->stream();
        $t = microtime(true);
        var_dump(fwrite($s, $data));
        $got = '';
        $reads = 0;
        while (!feof($s) && $reads++ < 100) {
            $r = fread($s, 65536);
            if ($r === false || $r === '') {
                // (after a replay the good buffer may come in a read of its own: then
                // feof() is not yet true and the next fread() reports the failure)
                if ($got === '') {
                    echo "  fread: ", var_export($r, true), "\n";
                }
                break;
            }
            $got .= $r;
        }
        $elapsed = microtime(true) - $t;
        echo "  plaintext before the failure: ", strlen($got), $got === substr($data, 0, strlen($got)) ? " (intact)" : " (WRONG)", "\n";
        echo "  feof: ", var_export(feof($s), true), ", fast: ", var_export($elapsed < 10, true), "\n";
        $m = stream_get_meta_data($s);
        echo "  meta: eof ", var_export($m['eof'], true), ", timed_out ", var_export($m['timed_out'], true),
            ", sqauth_error ", $m['sqauth_error'] === null ? 'null' : "({$m['sqauth_error']['code']}): {$m['sqauth_error']['message']}", "\n";
        echo "  fread again: ", var_export(fread($s, 10), true), ", fwrite again: ", var_export(fwrite($s, 'x'), true), "\n";
        foreach (['capabilities', 'securityLayer', 'capabilities'] as $method) {
            try {
                $r = $c->$method();
                echo "  $method(): ", $method === 'securityLayer' ? $r['qop'] : 'no exception', "\n";
            } catch (SqAuth\Exception $e) {
                echo "  $method(): ", sqauth_describe($e), "\n";
            }
        }
        fclose($s);   // ends the session
        try {
            $c->securityLayer();
        } catch (SqAuth\Exception $e) {
            echo "  after fclose: ", sqauth_describe($e), "\n";
        }
        $c->close();
    }
}
echo "done\n";
?>
--EXPECTF--
== TAMPER auth-conf rc4
int(8192)
  fread: false
  plaintext before the failure: 0 (intact)
  feof: true, fast: true
  meta: eof true, timed_out false, sqauth_error (17): DIGEST-MD5 security layer: MAC mismatch (tampered buffer or wrong key)
  fread again: '', fwrite again: false
  capabilities(): SqAuth\ConnectionException (13): the connection is closed after an earlier failure: DIGEST-MD5 security layer: MAC mismatch (tampered buffer or wrong key)
  securityLayer(): auth-conf
  capabilities(): SqAuth\ConnectionException (13): the connection is closed after an earlier failure: DIGEST-MD5 security layer: MAC mismatch (tampered buffer or wrong key)
  after fclose: SqAuth\ConnectionException (13): the connection is closed
== TAMPER auth-int -
int(8192)
  fread: false
  plaintext before the failure: 0 (intact)
  feof: true, fast: true
  meta: eof true, timed_out false, sqauth_error (17): DIGEST-MD5 security layer: MAC mismatch (tampered buffer or wrong key)
  fread again: '', fwrite again: false
  capabilities(): SqAuth\ConnectionException (13): the connection is closed after an earlier failure: DIGEST-MD5 security layer: MAC mismatch (tampered buffer or wrong key)
  securityLayer(): auth-int
  capabilities(): SqAuth\ConnectionException (13): the connection is closed after an earlier failure: DIGEST-MD5 security layer: MAC mismatch (tampered buffer or wrong key)
  after fclose: SqAuth\ConnectionException (13): the connection is closed
== TAMPER auth-conf 3des
int(8192)
  fread: false
  plaintext before the failure: 0 (intact)
  feof: true, fast: true
  meta: eof true, timed_out false, sqauth_error (17): DIGEST-MD5 security layer: MAC mismatch (tampered buffer or wrong key)
  fread again: '', fwrite again: false
  capabilities(): SqAuth\ConnectionException (13): the connection is closed after an earlier failure: DIGEST-MD5 security layer: MAC mismatch (tampered buffer or wrong key)
  securityLayer(): auth-conf
  capabilities(): SqAuth\ConnectionException (13): the connection is closed after an earlier failure: DIGEST-MD5 security layer: MAC mismatch (tampered buffer or wrong key)
  after fclose: SqAuth\ConnectionException (13): the connection is closed
== REPLAY auth-conf rc4
int(8192)
  plaintext before the failure: 8192 (intact)
  feof: true, fast: true
  meta: eof true, timed_out false, sqauth_error (17): DIGEST-MD5 security layer: sequence number 0, expected 1 (replayed, reordered or lost buffer)
  fread again: '', fwrite again: false
  capabilities(): SqAuth\ConnectionException (13): the connection is closed after an earlier failure: DIGEST-MD5 security layer: sequence number 0, expected 1 (replayed, reordered or lost buffer)
  securityLayer(): auth-conf
  capabilities(): SqAuth\ConnectionException (13): the connection is closed after an earlier failure: DIGEST-MD5 security layer: sequence number 0, expected 1 (replayed, reordered or lost buffer)
  after fclose: SqAuth\ConnectionException (13): the connection is closed
== REPLAY auth-int -
int(8192)
  plaintext before the failure: 8192 (intact)
  feof: true, fast: true
  meta: eof true, timed_out false, sqauth_error (17): DIGEST-MD5 security layer: sequence number 0, expected 1 (replayed, reordered or lost buffer)
  fread again: '', fwrite again: false
  capabilities(): SqAuth\ConnectionException (13): the connection is closed after an earlier failure: DIGEST-MD5 security layer: sequence number 0, expected 1 (replayed, reordered or lost buffer)
  securityLayer(): auth-int
  capabilities(): SqAuth\ConnectionException (13): the connection is closed after an earlier failure: DIGEST-MD5 security layer: sequence number 0, expected 1 (replayed, reordered or lost buffer)
  after fclose: SqAuth\ConnectionException (13): the connection is closed
== REPLAY auth-conf 3des
int(8192)
  plaintext before the failure: 8192 (intact)
  feof: true, fast: true
  meta: eof true, timed_out false, sqauth_error (17): DIGEST-MD5 security layer: sequence number 0, expected 1 (replayed, reordered or lost buffer)
  fread again: '', fwrite again: false
  capabilities(): SqAuth\ConnectionException (13): the connection is closed after an earlier failure: DIGEST-MD5 security layer: sequence number 0, expected 1 (replayed, reordered or lost buffer)
  securityLayer(): auth-conf
  capabilities(): SqAuth\ConnectionException (13): the connection is closed after an earlier failure: DIGEST-MD5 security layer: sequence number 0, expected 1 (replayed, reordered or lost buffer)
  after fclose: SqAuth\ConnectionException (13): the connection is closed
== TRUNCATE auth-conf rc4
int(8192)
  fread: false
  plaintext before the failure: 0 (intact)
  feof: true, fast: true
  meta: eof true, timed_out false, sqauth_error (15): SASL security layer: the server closed the connection inside a buffer (1020 bytes of it received)
  fread again: '', fwrite again: false
  capabilities(): SqAuth\ConnectionException (13): the connection is closed after an earlier failure: SASL security layer: the server closed the connection inside a buffer (%d bytes of it received)
  securityLayer(): auth-conf
  capabilities(): SqAuth\ConnectionException (13): the connection is closed after an earlier failure: SASL security layer: the server closed the connection inside a buffer (%d bytes of it received)
  after fclose: SqAuth\ConnectionException (13): the connection is closed
== TRUNCATE auth-int -
int(8192)
  fread: false
  plaintext before the failure: 0 (intact)
  feof: true, fast: true
  meta: eof true, timed_out false, sqauth_error (15): SASL security layer: the server closed the connection inside a buffer (1020 bytes of it received)
  fread again: '', fwrite again: false
  capabilities(): SqAuth\ConnectionException (13): the connection is closed after an earlier failure: SASL security layer: the server closed the connection inside a buffer (%d bytes of it received)
  securityLayer(): auth-int
  capabilities(): SqAuth\ConnectionException (13): the connection is closed after an earlier failure: SASL security layer: the server closed the connection inside a buffer (%d bytes of it received)
  after fclose: SqAuth\ConnectionException (13): the connection is closed
== TRUNCATE auth-conf 3des
int(8192)
  fread: false
  plaintext before the failure: 0 (intact)
  feof: true, fast: true
  meta: eof true, timed_out false, sqauth_error (15): SASL security layer: the server closed the connection inside a buffer (1026 bytes of it received)
  fread again: '', fwrite again: false
  capabilities(): SqAuth\ConnectionException (13): the connection is closed after an earlier failure: SASL security layer: the server closed the connection inside a buffer (%d bytes of it received)
  securityLayer(): auth-conf
  capabilities(): SqAuth\ConnectionException (13): the connection is closed after an earlier failure: SASL security layer: the server closed the connection inside a buffer (%d bytes of it received)
  after fclose: SqAuth\ConnectionException (13): the connection is closed
== CLEARTEXT auth-conf rc4
int(8192)
  fread: false
  plaintext before the failure: 0 (intact)
  feof: true, fast: true
  meta: eof true, timed_out false, sqauth_error (15): SASL security layer: the server sent a buffer of 1212501068 bytes, above our maxbuf 65536
  fread again: '', fwrite again: false
  capabilities(): SqAuth\ConnectionException (13): the connection is closed after an earlier failure: SASL security layer: the server sent a buffer of 1212501068 bytes, above our maxbuf 65536
  securityLayer(): auth-conf
  capabilities(): SqAuth\ConnectionException (13): the connection is closed after an earlier failure: SASL security layer: the server sent a buffer of 1212501068 bytes, above our maxbuf 65536
  after fclose: SqAuth\ConnectionException (13): the connection is closed
== CLEARTEXT auth-int -
int(8192)
  fread: false
  plaintext before the failure: 0 (intact)
  feof: true, fast: true
  meta: eof true, timed_out false, sqauth_error (15): SASL security layer: the server sent a buffer of 1212501068 bytes, above our maxbuf 65536
  fread again: '', fwrite again: false
  capabilities(): SqAuth\ConnectionException (13): the connection is closed after an earlier failure: SASL security layer: the server sent a buffer of 1212501068 bytes, above our maxbuf 65536
  securityLayer(): auth-int
  capabilities(): SqAuth\ConnectionException (13): the connection is closed after an earlier failure: SASL security layer: the server sent a buffer of 1212501068 bytes, above our maxbuf 65536
  after fclose: SqAuth\ConnectionException (13): the connection is closed
== CLEARTEXT auth-conf 3des
int(8192)
  fread: false
  plaintext before the failure: 0 (intact)
  feof: true, fast: true
  meta: eof true, timed_out false, sqauth_error (15): SASL security layer: the server sent a buffer of 1212501068 bytes, above our maxbuf 65536
  fread again: '', fwrite again: false
  capabilities(): SqAuth\ConnectionException (13): the connection is closed after an earlier failure: SASL security layer: the server sent a buffer of 1212501068 bytes, above our maxbuf 65536
  securityLayer(): auth-conf
  capabilities(): SqAuth\ConnectionException (13): the connection is closed after an earlier failure: SASL security layer: the server sent a buffer of 1212501068 bytes, above our maxbuf 65536
  after fclose: SqAuth\ConnectionException (13): the connection is closed
== OVERSIZE auth-conf rc4
int(8192)
  fread: false
  plaintext before the failure: 0 (intact)
  feof: true, fast: true
  meta: eof true, timed_out false, sqauth_error (15): SASL security layer: the server sent a buffer of 2147483647 bytes, above our maxbuf 65536
  fread again: '', fwrite again: false
  capabilities(): SqAuth\ConnectionException (13): the connection is closed after an earlier failure: SASL security layer: the server sent a buffer of 2147483647 bytes, above our maxbuf 65536
  securityLayer(): auth-conf
  capabilities(): SqAuth\ConnectionException (13): the connection is closed after an earlier failure: SASL security layer: the server sent a buffer of 2147483647 bytes, above our maxbuf 65536
  after fclose: SqAuth\ConnectionException (13): the connection is closed
== OVERSIZE auth-int -
int(8192)
  fread: false
  plaintext before the failure: 0 (intact)
  feof: true, fast: true
  meta: eof true, timed_out false, sqauth_error (15): SASL security layer: the server sent a buffer of 2147483647 bytes, above our maxbuf 65536
  fread again: '', fwrite again: false
  capabilities(): SqAuth\ConnectionException (13): the connection is closed after an earlier failure: SASL security layer: the server sent a buffer of 2147483647 bytes, above our maxbuf 65536
  securityLayer(): auth-int
  capabilities(): SqAuth\ConnectionException (13): the connection is closed after an earlier failure: SASL security layer: the server sent a buffer of 2147483647 bytes, above our maxbuf 65536
  after fclose: SqAuth\ConnectionException (13): the connection is closed
== OVERSIZE auth-conf 3des
int(8192)
  fread: false
  plaintext before the failure: 0 (intact)
  feof: true, fast: true
  meta: eof true, timed_out false, sqauth_error (15): SASL security layer: the server sent a buffer of 2147483647 bytes, above our maxbuf 65536
  fread again: '', fwrite again: false
  capabilities(): SqAuth\ConnectionException (13): the connection is closed after an earlier failure: SASL security layer: the server sent a buffer of 2147483647 bytes, above our maxbuf 65536
  securityLayer(): auth-conf
  capabilities(): SqAuth\ConnectionException (13): the connection is closed after an earlier failure: SASL security layer: the server sent a buffer of 2147483647 bytes, above our maxbuf 65536
  after fclose: SqAuth\ConnectionException (13): the connection is closed
done
