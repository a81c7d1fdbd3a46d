--TEST--
Connection::authenticate(): a SCRAM server signature that does not verify, or an OK without one, is SaslException 4 even though the server says OK
--EXTENSIONS--
sqauth
--FILE--
<?php
use SqAuth\Connection;
require __DIR__ . '/scripted.inc';

// RFC 7677 §3: user "user", password "pencil"
$cnonce = 'rOprNGfwEbeRWgbNEkqO';
$serverFirst = base64_encode('r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096');
$clientFinal = base64_encode('c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=');
$goodV = base64_encode('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
$badV = base64_encode('v=' . base64_encode(str_repeat("\x42", 32)));

function imap_script(array $tail): array
{
    global $serverFirst;
    return array_merge([
        ['send', "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=SCRAM-SHA-256] fake\r\n"],
        ['expect', 'A0001 AUTHENTICATE SCRAM-SHA-256 ' . base64_encode('n,,n=user,r=rOprNGfwEbeRWgbNEkqO')],
        ['send', "+ $serverFirst\r\n"],
        ['expect', ''],
    ], $tail, [['drain', 5]]);
}
function run(string $what, array $steps, string $scheme = 'imap'): void
{
    global $cnonce;
    echo "== $what\n";
    $srv = sqauth_fake_server($steps);
    $c = Connection::open("$scheme://127.0.0.1:{$srv['port']}", ['tls' => 'none', 'transcript' => true]);
    try {
        $c->authenticate('SCRAM-SHA-256', 'user', 'pencil', ['cnonce' => $cnonce]);
        echo "authenticated\n";
    } catch (SqAuth\Exception $e) {
        echo sqauth_describe($e), "\n";
    }
    $t = $c->transcript();
    $c->close();
    echo implode("\n", preg_grep('/^[CS]: (A0001 |\+ |<redacted>|\*$|334 |235 |AUTH |$)/', $t)), "\n";
    echo "server got:\n", implode("\n", preg_grep('/^EHLO /', sqauth_fake_server_finish($srv), PREG_GREP_INVERT)), "\n";
}

// the fake server and the vectors are right: the real signature is accepted
run('IMAP, correct v=', imap_script([
    ['send', "+ $goodV\r\n"],
    ['expect', ''],
    ['send', "A0001 OK done\r\n"],
]));

run('IMAP, wrong v=, then OK', imap_script([
    ['send', "+ $badV\r\n"],
    ['expect', '*'],
    ['send', "A0001 OK you are in anyway\r\n"],
]));

run('IMAP, OK without any v=', imap_script([
    ['send', "A0001 OK [CAPABILITY IMAP4rev1] trust me\r\n"],
]));

run('SMTP, 235 without any v=', [
    ['send', "220 fake ESMTP\r\n"],
    ['expect', 'EHLO '],
    ['send', "250-fake\r\n250 AUTH SCRAM-SHA-256\r\n"],
    ['expect', 'AUTH SCRAM-SHA-256 ' . base64_encode('n,,n=user,r=rOprNGfwEbeRWgbNEkqO')],
    ['send', "334 $serverFirst\r\n"],
    ['expect', ''],
    ['send', "235 2.7.0 trust me\r\n"],
    ['drain', 5],
], 'smtp');
?>
--EXPECTF--
== IMAP, correct v=
authenticated
C: A0001 AUTHENTICATE SCRAM-SHA-256 <redacted>
S: + %s
C: <redacted>
S: + %s
C: 
S: A0001 OK done
server got:
A0001 AUTHENTICATE SCRAM-SHA-256 biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8=
Yz1iaXdzLHI9ck9wck5HZndFYmVSV2diTkVrcU8laHZZRHBXVWEyUmFUQ0FmdXhGSWxqKWhObEYkazAscD1kSHpiWmFwV0lrNGpVaE4rVXRlOXl0YWc5empmTUhnc3FtbWl6N0FuZFZRPQ==

A0002 LOGOUT
== IMAP, wrong v=, then OK
SqAuth\SaslException (4): SCRAM server signature (v=) does not match: the server did not prove that it knows the password
C: A0001 AUTHENTICATE SCRAM-SHA-256 <redacted>
S: + %s
C: <redacted>
S: + %s
C: *
S: A0001 OK you are in anyway
server got:
A0001 AUTHENTICATE SCRAM-SHA-256 biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8=
Yz1iaXdzLHI9ck9wck5HZndFYmVSV2diTkVrcU8laHZZRHBXVWEyUmFUQ0FmdXhGSWxqKWhObEYkazAscD1kSHpiWmFwV0lrNGpVaE4rVXRlOXl0YWc5empmTUhnc3FtbWl6N0FuZFZRPQ==
*
== IMAP, OK without any v=
SqAuth\SaslException (4): the server accepted the SCRAM-SHA-256 login without proving that it knows the password (no valid server signature); not trusting this connection
C: A0001 AUTHENTICATE SCRAM-SHA-256 <redacted>
S: + %s
C: <redacted>
S: A0001 OK [CAPABILITY IMAP4rev1] trust me
server got:
A0001 AUTHENTICATE SCRAM-SHA-256 biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8=
Yz1iaXdzLHI9ck9wck5HZndFYmVSV2diTkVrcU8laHZZRHBXVWEyUmFUQ0FmdXhGSWxqKWhObEYkazAscD1kSHpiWmFwV0lrNGpVaE4rVXRlOXl0YWc5empmTUhnc3FtbWl6N0FuZFZRPQ==
== SMTP, 235 without any v=
SqAuth\SaslException (4): the server accepted the SCRAM-SHA-256 login without proving that it knows the password (no valid server signature); not trusting this connection
C: AUTH SCRAM-SHA-256 <redacted>
S: 334 %s
C: <redacted>
S: 235 2.7.0 trust me
server got:
AUTH SCRAM-SHA-256 biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8=
Yz1iaXdzLHI9ck9wck5HZndFYmVSV2diTkVrcU8laHZZRHBXVWEyUmFUQ0FmdXhGSWxqKWhObEYkazAscD1kSHpiWmFwV0lrNGpVaE4rVXRlOXl0YWc5empmTUhnc3FtbWl6N0FuZFZRPQ==
