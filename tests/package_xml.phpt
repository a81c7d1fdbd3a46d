--TEST--
package.xml lists every tracked source and test file (release check)
--SKIPIF--
<?php
// Only meaningful in a git checkout; an unpacked PECL tarball has no history.
$root = dirname(__DIR__);
if (!is_dir("$root/.git") || !is_file("$root/scripts/package-xml.php")) die('skip not a git checkout');
exec('git --version 2>/dev/null', $o, $rc);
if ($rc !== 0) die('skip git not installed');
?>
--FILE--
<?php
$root = dirname(__DIR__);
// -d pcre.jit=0: under valgrind (run-tests -m) the child is traced too, and PCRE's JIT confuses memcheck
passthru(escapeshellarg(PHP_BINARY) . ' -n -d pcre.jit=0 ' . escapeshellarg("$root/scripts/package-xml.php") . ' --check', $rc);
var_dump($rc);
?>
--EXPECTF--
package.xml lists all %d files
int(0)
