--TEST--
sqauth is loaded: phpinfo section, mechanisms(), features()
--EXTENSIONS--
sqauth
--FILE--
<?php
var_dump(extension_loaded('sqauth'));
var_dump(SqAuth\mechanisms());
$f = SqAuth\features();
var_dump($f['version'] === phpversion('sqauth'), is_bool($f['saslprep']), str_starts_with($f['openssl'], 'OpenSSL '));
ob_start();
phpinfo(INFO_MODULES);
$info = ob_get_clean();
foreach (['sqauth support => enabled', 'Version => ' . phpversion('sqauth'), 'OpenSSL library version => OpenSSL',
          'libxml2 version => 2.', 'SASLprep (libidn) =>', 'SASL mechanisms => SCRAM-SHA-256-PLUS',
          'SCRAM key cache => 0 of 64 entries; 0 hits, 0 misses, 0 evictions', 'sqauth.scram_cache_size => 64 => 64'] as $needle) {
    echo $needle, ': ', str_contains($info, $needle) ? 'yes' : 'NO', "\n";
}
?>
--EXPECT--
bool(true)
array(11) {
  [0]=>
  string(18) "SCRAM-SHA-256-PLUS"
  [1]=>
  string(16) "SCRAM-SHA-1-PLUS"
  [2]=>
  string(13) "SCRAM-SHA-256"
  [3]=>
  string(11) "SCRAM-SHA-1"
  [4]=>
  string(10) "DIGEST-MD5"
  [5]=>
  string(8) "CRAM-MD5"
  [6]=>
  string(5) "PLAIN"
  [7]=>
  string(5) "LOGIN"
  [8]=>
  string(11) "OAUTHBEARER"
  [9]=>
  string(7) "XOAUTH2"
  [10]=>
  string(8) "EXTERNAL"
}
bool(true)
bool(true)
bool(true)
sqauth support => enabled: yes
Version => 0.1.0: yes
OpenSSL library version => OpenSSL: yes
libxml2 version => 2.: yes
SASLprep (libidn) =>: yes
SASL mechanisms => SCRAM-SHA-256-PLUS: yes
SCRAM key cache => 0 of 64 entries; 0 hits, 0 misses, 0 evictions: yes
sqauth.scram_cache_size => 64 => 64: yes
