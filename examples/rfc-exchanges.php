<?php
/*
 * Runs every SASL mechanism of sqauth against its published RFC example and
 * prints the exchange, checking each message against the RFC's text.
 *   php -n -d extension=modules/sqauth.so examples/rfc-exchanges.php
 * (scripts/demo.sh builds the extension and runs this.)
 * The fixed client nonces below are the RFCs' own; real exchanges draw them
 * from OpenSSL's RAND_bytes.
 */
declare(strict_types=1);

use SqAuth\SaslClient;

$ok = true;

function show(string $who, ?string $msg): void
{
    if ($msg === null) {
        printf("  %-2s (no initial response)\n", $who);
        return;
    }
    $printable = preg_replace_callback('/[^\x20-\x7e]/', fn($m) => sprintf('\\x%02x', ord($m[0])), $msg);
    printf("  %-2s %s\n", $who, $printable);
}

/**
 * @param list<array{0: 'C'|'S', 1: ?string}> $script  the RFC exchange, client and server turns
 */
function exchange(string $title, SaslClient $client, array $script): void
{
    global $ok;
    echo "\n$title\n";
    $first = true;
    $pendingChallenge = null;
    foreach ($script as [$who, $text]) {
        if ($who === 'S') {
            show('S:', $text);
            $pendingChallenge = $text;
            continue;
        }
        $got = $first && !($client->mechanism() === 'CRAM-MD5' || $client->mechanism() === 'DIGEST-MD5'
                           || $client->mechanism() === 'LOGIN')
            ? $client->start()
            : $client->step((string)$pendingChallenge);
        $first = false;
        show('C:', $got);
        if ($got !== $text) {
            $ok = false;
            echo "     MISMATCH, the RFC says:\n";
            show('  ', $text);
        }
    }
    printf("  -> complete: %s, server verified: %s\n",
        $client->isComplete() ? 'yes' : 'no', $client->isServerVerified() ? 'yes' : 'no');
}

try {
    exchange('PLAIN (RFC 4616)',
        new SaslClient('PLAIN', ['authcid' => 'tim', 'password' => 'tanstaaftanstaaf']),
        [['C', "\0tim\0tanstaaftanstaaf"]]);

    exchange('CRAM-MD5 (RFC 2195 section 2)',
        new SaslClient('CRAM-MD5', ['authcid' => 'tim', 'password' => 'tanstaaftanstaaf']),
        [['S', '<1896.697170952@postoffice.reston.mci.net>'], ['C', 'tim b913a602c7eda7a495b4e6e7334d3890']]);

    $digest = new SaslClient('DIGEST-MD5', ['authcid' => 'chris', 'password' => 'secret'],
        ['service' => 'imap', 'host' => 'elwood.innosoft.com', 'cnonce' => 'OA6MHXh6VqTrRk']);
    exchange('DIGEST-MD5 (RFC 2831 section 4, IMAP)', $digest, [
        ['S', 'realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",qop="auth",algorithm=md5-sess,charset=utf-8'],
        ['C', 'charset=utf-8,username="chris",realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",nc=00000001,'
            . 'cnonce="OA6MHXh6VqTrRk",digest-uri="imap/elwood.innosoft.com",'
            . 'response=d388dad90d4bbd760a152321f2143af7,qop=auth'],
        ['S', 'rspauth=ea40f60335c427b5527b84dbabcdfffd'],
        ['C', ''],
    ]);

    exchange('SCRAM-SHA-1 (RFC 5802 section 5)',
        new SaslClient('SCRAM-SHA-1', ['authcid' => 'user', 'password' => 'pencil'], ['cnonce' => 'fyko+d2lbbFgONRv9qkxdawL']), [
        ['C', 'n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL'],
        ['S', 'r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096'],
        ['C', 'c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts='],
        ['S', 'v=rmF9pqV8S7suAoZWja4dJRkFsKQ='],
        ['C', ''],
    ]);

    exchange('SCRAM-SHA-256 (RFC 7677 section 3)',
        new SaslClient('SCRAM-SHA-256', ['authcid' => 'user', 'password' => 'pencil'], ['cnonce' => 'rOprNGfwEbeRWgbNEkqO']), [
        ['C', 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO'],
        ['S', 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096'],
        ['C', 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ='],
        ['S', 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4='],
        ['C', ''],
    ]);

    exchange('OAUTHBEARER (RFC 7628 sections 4.1 and 4.3, failed token)',
        new SaslClient('OAUTHBEARER', ['authzid' => 'user@example.com', 'token' => 'vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg=='],
            ['host' => 'server.example.com', 'port' => 143]), [
        ['C', "n,a=user@example.com,\x01host=server.example.com\x01port=143\x01auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01"],
        ['S', '{"status":"invalid_token","scope":"example_scope","openid-configuration":"https://example.com/.well-known/openid-configuration"}'],
        ['C', "\x01"],
    ]);

    exchange('XOAUTH2',
        new SaslClient('XOAUTH2', ['authcid' => 'someuser@example.com', 'token' => 'ya29.vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg']), [
        ['C', "user=someuser@example.com\x01auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg\x01\x01"],
    ]);

    exchange('LOGIN', new SaslClient('LOGIN', ['authcid' => 'tim', 'password' => 'tanstaaftanstaaf']), [
        ['S', 'Username:'], ['C', 'tim'], ['S', 'Password:'], ['C', 'tanstaaftanstaaf'],
    ]);

    exchange('EXTERNAL (RFC 4422 appendix A)', new SaslClient('EXTERNAL', []), [['C', '']]);

    echo "\nSquirrelMail-shaped helpers (base64 in, base64 out):\n";
    $cram = SqAuth\cram_md5_response('tim', 'tanstaaftanstaaf', 'PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+');
    echo "  SqAuth\\cram_md5_response(...)   = $cram\n";
    $ok = $ok && $cram === 'dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw';
    echo "  SqAuth\\select_mechanism(Dovecot's list, plaintext connection) = ",
        SqAuth\select_mechanism(['PLAIN', 'LOGIN', 'CRAM-MD5', 'DIGEST-MD5', 'SCRAM-SHA-1', 'SCRAM-SHA-256'], null, false), "\n";
} catch (SqAuth\Exception $e) {
    echo "\n", get_class($e), ': ', $e->getMessage(), "\n";
    $ok = false;
}

echo $ok ? "\nAll exchanges match their RFC examples.\n" : "\nSOME EXCHANGES DO NOT MATCH.\n";
exit($ok ? 0 : 1);
