--TEST--
DIGEST-MD5: challenges as long as RFC 2831 allows (2,047 bytes) made of realms, empty elements, list elements, unknown directives, escapes and white space parse in one pass; one byte more is refused
--EXTENSIONS--
sqauth
--FILE--
<?php
/* head, then $unit ("{i}" = 0, 1, ...) as often as fits with $tail. */
function flood(string $head, string $unit, string $tail): string
{
    $s = $head;
    for ($i = 0; strlen($s) + strlen(str_replace('{i}', (string)$i, $unit)) + strlen($tail) <= 2047; $i++) {
        $s .= str_replace('{i}', (string)$i, $unit);
    }
    return $s . $tail;
}

$floods = [
    'realms' => flood('', 'realm="r{i}",', 'nonce="n",algorithm=md5-sess'),
    'empty elements' => flood('nonce="n",', ',', 'algorithm=md5-sess'),
    'qop list' => flood('nonce="n",algorithm=md5-sess,qop="', 'auth-int,', 'auth"'),
    'unknown directives' => flood('nonce="n",algorithm=md5-sess,', 'x{i}=1,', 'y=2'),
    'escapes' => flood('nonce="n",algorithm=md5-sess,realm="', '\\a', '"'),
    'white space' => flood('nonce="n",algorithm=md5-sess,realm=', ' ', '"r"'),
];
foreach ($floods as $what => $challenge) {
    $d = SqAuth\digest_md5_parse_challenge(base64_encode($challenge));
    $s = new SqAuth\SaslClient('DIGEST-MD5', ['authcid' => 'chris', 'password' => 'secret'],
        ['host' => 'elwood.innosoft.com', 'cnonce' => 'OA6MHXh6VqTrRk']);
    preg_match('/realm="([^"]*)"/', $s->step($challenge), $m);
    printf("%s: %d bytes, %d directives, realm %s, sent realm %s\n", $what, strlen($challenge), count($d),
        is_array($d['realm'] ?? null) ? count($d['realm']) . ' of them' : json_encode(substr($d['realm'] ?? '-', 0, 8)),
        json_encode(substr($m[1] ?? '-', 0, 8)));
}
try {
    SqAuth\digest_md5_parse_challenge(base64_encode($floods['empty elements'] . ','));
} catch (SqAuth\SaslException $e) {
    echo get_class($e), ' ', $e->getCode(), ': ', $e->getMessage(), "\n";
}
?>
--EXPECT--
realms: 2037 bytes, 3 directives, realm 163 of them, sent realm "r0"
empty elements: 2047 bytes, 2 directives, realm "-", sent realm "-"
qop list: 2046 bytes, 3 directives, realm "-", sent realm "-"
unknown directives: 2043 bytes, 306 directives, realm "-", sent realm "-"
escapes: 2047 bytes, 3 directives, realm "aaaaaaaa", sent realm "aaaaaaaa"
white space: 2047 bytes, 3 directives, realm "r", sent realm "r"
SqAuth\SaslException 3: DIGEST-MD5 challenge is 2048 bytes; RFC 2831 allows at most 2047