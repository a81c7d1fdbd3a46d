--TEST--
Peer defects, certificate verification is on by default everywhere (Horde_Imap_Client and Horde_Smtp leave peer verification off unless asked): with no TLS option at all, open() (implicit TLS and STARTTLS, every protocol), startTls(), fromStream() and detect() refuse a certificate the system store does not trust, and a cafile alone still checks the host name
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
use SqAuth\Connection;
$env = require __DIR__ . '/env.inc';

function verify(string $what, callable $f): void
{
    try {
        $f();
        echo "$what: ACCEPTED\n";
    } catch (SqAuth\TlsException $e) {
        $v = $e->getVerifyResult();
        echo "$what: ", get_class($e), " ({$e->getCode()}), verify ", $v === null ? 'null' : "{$v['code']} {$v['message']}", "\n";
    } catch (SqAuth\Exception $e) {
        echo "$what: ", sqauth_describe($e), "\n";
    }
}

// the test CA is in no system store: every server certificate of the test
// servers is "unable to get local issuer certificate" (20) without 'cafile'
$h = 'localhost';
foreach (['imaps' => 'IMAPS', 'imap' => 'IMAP', 'pop3s' => 'POP3S', 'pop3' => 'POP3',
          'smtps' => 'SUBMISSIONS', 'submission' => 'SUBMISSION'] as $scheme => $port) {
    verify("open($scheme://), no options", fn() => Connection::open("$scheme://$h:{$env["SQAUTH_TEST_{$port}_PORT"]}"));
}
verify('open(imaps://) of a self-signed server, no options',
    fn() => Connection::open("imaps://$h:{$env['SQAUTH_TEST_IMAPS_SELFSIGNED_PORT']}"));
verify('open(imaps://) of a certificate for another name, only cafile',
    fn() => Connection::open("imaps://$h:{$env['SQAUTH_TEST_IMAPS_WRONGHOST_PORT']}", ['cafile' => $env['SQAUTH_TEST_CA']]));

$c = Connection::open("imap://$h:{$env['SQAUTH_TEST_IMAP_PORT']}", ['tls' => 'none']);
verify("startTls() on a plaintext connection opened with only 'tls' => 'none'", fn() => $c->startTls());
unset($c);

$s = fsockopen('127.0.0.1', $env['SQAUTH_TEST_IMAP_PORT']);
verify("fromStream() of an fsockopen() socket, only 'peer_name'", fn() => Connection::fromStream($s, 'imap', ['peer_name' => $h]));
fclose($s);

verify('detect(imaps://), no options', fn() => var_dump(SqAuth\detect("imaps://$h:{$env['SQAUTH_TEST_IMAPS_SELFSIGNED_PORT']}")));
verify('detect(submission://), no options', fn() => var_dump(SqAuth\detect("submission://$h:{$env['SQAUTH_TEST_SUBMISSION_PORT']}")));

// and with the CA given, the same calls go through: the refusals above are
// about trust, not about something else failing
$c = Connection::open("imaps://$h:{$env['SQAUTH_TEST_IMAPS_PORT']}", ['cafile' => $env['SQAUTH_TEST_CA']]);
echo "with cafile: ", json_encode($c->tlsInfo()['verify'] ?? $c->isEncrypted()), "\n";
?>
--EXPECT--
open(imaps://), no options: SqAuth\TlsException (14), verify 20 unable to get local issuer certificate
open(imap://), no options: SqAuth\TlsException (14), verify 20 unable to get local issuer certificate
open(pop3s://), no options: SqAuth\TlsException (14), verify 20 unable to get local issuer certificate
open(pop3://), no options: SqAuth\TlsException (14), verify 20 unable to get local issuer certificate
open(smtps://), no options: SqAuth\TlsException (14), verify 20 unable to get local issuer certificate
open(submission://), no options: SqAuth\TlsException (14), verify 20 unable to get local issuer certificate
open(imaps://) of a self-signed server, no options: SqAuth\TlsException (14), verify 18 self-signed certificate
open(imaps://) of a certificate for another name, only cafile: SqAuth\TlsException (14), verify 62 hostname mismatch
startTls() on a plaintext connection opened with only 'tls' => 'none': SqAuth\TlsException (14), verify 20 unable to get local issuer certificate
fromStream() of an fsockopen() socket, only 'peer_name': SqAuth\TlsException (14), verify 20 unable to get local issuer certificate
detect(imaps://), no options: SqAuth\TlsException (14), verify 18 self-signed certificate
detect(submission://), no options: SqAuth\TlsException (14), verify 20 unable to get local issuer certificate
with cafile: {"code":0,"message":"ok","verified":true}
