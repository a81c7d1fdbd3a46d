--TEST--
TLS: 'peer_name', 'verify_peer_name' => false and 'verify_peer' => false
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
use SqAuth\Connection;
$env = require __DIR__ . '/env.inc';
$ca = $env['SQAUTH_TEST_CA'];

function show(string $what, string $uri, array $o): void
{
    try {
        $c = Connection::open($uri, $o);
        $i = $c->tlsInfo();
        echo "$what: connected, {$i['peer_certificate']['subject']}, verify ", json_encode($i['verify']), "\n";
        $c->close();
    } catch (SqAuth\Exception $e) {
        echo "$what: ", sqauth_describe($e), "\n";
    }
}

$wrong = "imaps://localhost:{$env['SQAUTH_TEST_IMAPS_WRONGHOST_PORT']}";
show('peer_name wrong.example', $wrong, ['cafile' => $ca, 'peer_name' => 'wrong.example']);
show('verify_peer_name false', $wrong, ['cafile' => $ca, 'verify_peer_name' => false]);
// peer_name replaces the host name: the good certificate does not list it
show('peer_name on the good server', "imaps://localhost:{$env['SQAUTH_TEST_IMAPS_PORT']}",
    ['cafile' => $ca, 'peer_name' => 'wrong.example']);

$self = "imaps://localhost:{$env['SQAUTH_TEST_IMAPS_SELFSIGNED_PORT']}";
show('verify_peer false', $self, ['verify_peer' => false]);
// verify_peer_name alone does not switch off the chain check
show('verify_peer_name false, self-signed', $self, ['cafile' => $ca, 'verify_peer_name' => false]);
?>
--EXPECT--
peer_name wrong.example: connected, CN=wrong.example,O=sqauth tests, verify {"code":0,"message":"ok","verified":true}
verify_peer_name false: connected, CN=wrong.example,O=sqauth tests, verify {"code":0,"message":"ok","verified":true}
peer_name on the good server: SqAuth\TlsException (14): certificate verify failed: hostname mismatch (depth 0); connect with a name the certificate lists, or set 'peer_name'
verify_peer false: connected, CN=localhost,O=sqauth tests, verify {"code":18,"message":"self-signed certificate","verified":false}
verify_peer_name false, self-signed: SqAuth\TlsException (14): certificate verify failed: self-signed certificate (depth 0); pass the CA that signed the server's certificate as 'cafile' (or 'capath')
