--TEST--
TLS: a server that requires a client certificate; 'local_cert' and 'local_pk'
--EXTENSIONS--
sqauth
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--FILE--
<?php
use SqAuth\Connection;
$env = require __DIR__ . '/env.inc';
// `openssl s_server -rev -Verify 1 -verify_return_error`, TLS 1.2/1.3, trusts clientca.pem;
// not IMAP: it sends nothing first and echoes each line reversed
$uri = "imaps://localhost:{$env['SQAUTH_TEST_TLS_CLIENTCERT_PORT']}";
$ca = $env['SQAUTH_TEST_CA'];

function attempt(string $what, string $uri, array $o): void
{
    try {
        // generous: the first attempt also builds the TLS context, which takes seconds under
        // valgrind on a loaded machine; the alert ends each attempt at once
        Connection::open($uri, $o + ['timeout' => 30]);
        echo "$what: connected\n";
    } catch (SqAuth\Exception $e) {
        echo "$what: ", sqauth_describe($e), "\n";
        if ($e instanceof SqAuth\TlsException) {
            echo '  alert=', var_export($e->getAlert(), true), ' verify=', var_export($e->getVerifyResult(), true),
                ' errors=', implode(' | ', array_column($e->getOpensslErrors(), 'message')), "\n";
        } elseif ($e instanceof SqAuth\ProtocolException) {
            echo '  server said: ', var_export($e->getServerResponse(), true), "\n";
        }
    }
}

// TLS 1.3: our side of the handshake completes, the server's certificate_required
// alert (116) arrives at the first read -- reading the greeting, or the CAPABILITY reply.
// It is still a TlsException, not "connection closed".
attempt('no certificate', $uri, ['cafile' => $ca]);
attempt('no certificate, greeting => false', $uri, ['cafile' => $ca, 'greeting' => false]);

// with the certificate the handshake succeeds: the CAPABILITY we send comes back reversed
// through TLS, which proves the TLS channel works (the peer is no IMAP server)
attempt('local_cert + local_pk', $uri, ['cafile' => $ca, 'greeting' => false,
    'local_cert' => $env['SQAUTH_TEST_CLIENT_CERT'], 'local_pk' => $env['SQAUTH_TEST_CLIENT_KEY']]);
attempt('local_cert with the key in the same file', $uri, ['cafile' => $ca, 'greeting' => false,
    'local_cert' => $env['SQAUTH_TEST_CLIENT_COMBINED']]);

// a key that is not the certificate's; files that do not exist
attempt('mismatched local_pk', $uri, ['cafile' => $ca,
    'local_cert' => $env['SQAUTH_TEST_CLIENT_CERT'], 'local_pk' => $env['SQAUTH_TEST_CERTS'] . '/server.key']);
attempt('missing local_cert', $uri, ['cafile' => $ca, 'local_cert' => '/nonexistent/client.pem']);
attempt('missing local_pk', $uri, ['cafile' => $ca,
    'local_cert' => $env['SQAUTH_TEST_CLIENT_CERT'], 'local_pk' => '/nonexistent/client.key']);
?>
--EXPECTF--
no certificate: SqAuth\TlsException (14): TLS alert from the server while reading: certificate required; the server may require a client certificate ('local_cert')
  alert='certificate required' verify=NULL errors=error:0A00045C:SSL routines::tlsv13 alert certificate required (SSL alert number 116)
no certificate, greeting => false: SqAuth\TlsException (14): TLS alert from the server while reading: certificate required; the server may require a client certificate ('local_cert')
  alert='certificate required' verify=NULL errors=error:0A00045C:SSL routines::tlsv13 alert certificate required (SSL alert number 116)
local_cert + local_pk: SqAuth\ProtocolException (15): unexpected IMAP reply to CAPABILITY: YTILIBAPAC 1000A
  server said: 'YTILIBAPAC 1000A'
local_cert with the key in the same file: SqAuth\ProtocolException (15): unexpected IMAP reply to CAPABILITY: YTILIBAPAC 1000A
  server said: 'YTILIBAPAC 1000A'
mismatched local_pk: SqAuth\TlsException (14): cannot load the client certificate's private key ('local_pk'): key values mismatch
  alert=NULL verify=NULL errors=error:05800074:x509 certificate routines::key values mismatch
missing local_cert: SqAuth\TlsException (14): cannot load 'local_cert': No such file or directory
  alert=NULL verify=NULL errors=error:80000002:system library::No such file or directory (calling fopen(/nonexistent/client.pem, r)) | %s
missing local_pk: SqAuth\TlsException (14): cannot load the client certificate's private key ('local_pk'): No such file or directory
  alert=NULL verify=NULL errors=error:80000002:system library::No such file or directory (calling fopen(/nonexistent/client.key, r)) | %s
