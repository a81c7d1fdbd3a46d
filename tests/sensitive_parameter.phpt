--TEST--
Every password parameter and credential array is #[\SensitiveParameter]
--EXTENSIONS--
sqauth
--FILE--
<?php
function sensitive(ReflectionFunctionAbstract $f): array {
    $out = [];
    foreach ($f->getParameters() as $p) {
        if ($p->getAttributes('SensitiveParameter')) {
            $out[] = $p->getName();
        }
    }
    return $out;
}
foreach (['SqAuth\cram_md5_response', 'SqAuth\digest_md5_response', 'SqAuth\digest_md5_parse_challenge'] as $fn) {
    echo $fn, ': ', implode(',', sensitive(new ReflectionFunction($fn))), "\n";
}
echo 'SaslClient::__construct: ', implode(',', sensitive(new ReflectionMethod('SqAuth\SaslClient', '__construct'))), "\n";
?>
--EXPECT--
SqAuth\cram_md5_response: password
SqAuth\digest_md5_response: password
SqAuth\digest_md5_parse_challenge: 
SaslClient::__construct: credentials
