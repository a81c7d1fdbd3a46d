--TEST--
SquirrelMail installer: a directory with a space in its path; bringing an older install up to date when the installer's user cannot write plugins/sqauth/ (a tree first installed as another user) is refused before anything is written, with no PHP warning
--SKIPIF--
<?php
// The installer is PHP without the extension, run as another user: nothing for valgrind or ASan to
// check (run-tests -m and scripts/asan.sh set USE_ZEND_ALLOC=0), and valgrind's log, inherited by
// that user's process, could not be written.
if (getenv('USE_ZEND_ALLOC') === '0') die('skip under valgrind and ASan: PHP-only installer code, covered by the plain run');
$tarball = getenv('SQAUTH_SQUIRRELMAIL_TARBALL') ?: (glob(dirname(__DIR__, 2) . '/shared/fixtures/squirrelmail-*.tar.gz')[0] ?? '');
if ($tarball === '' || !is_file($tarball)) die('skip no SquirrelMail fixture (set SQAUTH_SQUIRRELMAIL_TARBALL or provide ../shared/fixtures/squirrelmail-*.tar.gz)');
if (trim((string)shell_exec('id -u')) === '0' && trim((string)shell_exec('command -v setpriv')) === '') die('skip running as root without setpriv to drop to another user');
?>
--FILE--
<?php
$tarball = getenv('SQAUTH_SQUIRRELMAIL_TARBALL') ?: glob(dirname(__DIR__, 2) . '/shared/fixtures/squirrelmail-*.tar.gz')[0];
$installer = dirname(__DIR__) . '/contrib/squirrelmail/install';
$work = sys_get_temp_dir() . '/sqauth-install-' . getmypid();
$sm = "$work/with space/squirrelmail";
$root = trim((string)shell_exec('id -u')) === '0';

/* Runs the installer (as the unprivileged user 65534 when $drop and this test runs as root). */
function install(array $args, bool $drop = false): array
{
    global $installer, $root;
    $cmd = [$installer, ...$args];
    if ($drop && $root) {
        $cmd = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', ...$cmd];
    }
    $p = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['redirect', 1]], $pipes);
    $out = stream_get_contents($pipes[1]);
    fclose($pipes[1]);
    return [proc_close($p), $out];
}

function tree(string $dir): array
{
    $out = [];
    foreach (new RecursiveIteratorIterator(new RecursiveDirectoryIterator($dir, FilesystemIterator::SKIP_DOTS)) as $f) {
        $out[substr($f->getPathname(), strlen($dir) + 1)] = hash_file('sha256', $f->getPathname());
    }
    ksort($out);
    return $out;
}

mkdir(dirname($sm), 0755, true);
chmod($work, 0755);
exec('tar xzf ' . escapeshellarg($tarball) . ' -C ' . escapeshellarg(dirname($sm)), $o, $rc);
$pristine = tree($sm);

echo "-- a path with a space\n";
[$rc, $out] = install([$sm]);
echo "rc $rc, ", substr_count($out, "\nchanged "), " files changed after the first\n";
[$rc, $out] = install(['--uninstall', $sm]);
echo "uninstall rc $rc, byte for byte: ", json_encode(tree($sm) === $pristine), "\n";

echo "-- an older install whose plugins/sqauth/ the installer's user cannot write\n";
install([$sm]);
// As an older installer left it: no block in sqsession_destroy() yet, another plugin version.
$plugin = "$sm/plugins/sqauth/functions.php";
file_put_contents($plugin, "\n// an older version\n", FILE_APPEND);
$global = "$sm/functions/global.php";
file_put_contents($global, preg_replace('~\n[ \t]*/\* sqauth integration begin(?:(?!integration end).)*?sqauth_sm_session_destroy\(.*?'
    . '/\* sqauth integration end \*/~s', '', file_get_contents($global)));
if ($root) {
    exec('chown -R 65534 ' . escapeshellarg($sm) . ' && chown -R 0 ' . escapeshellarg("$sm/plugins/sqauth"));
} else {
    chmod("$sm/plugins/sqauth", 0555);
}
$before = tree($sm);
[$rc, $out] = install([$sm], true);
echo "rc $rc\n", str_replace($sm, 'SM', $out);
echo 'nothing written: ', json_encode(tree($sm) === $before), "\n";

echo "-- the same, with the plugin already up to date: only the blocks change\n";
file_put_contents($plugin, substr(file_get_contents($plugin), 0, -strlen("\n// an older version\n")));
[$rc, $out] = install([$sm], true);
echo "rc $rc\n", strtok($out, "\n"), "\n";

echo "-- --uninstall by that user: refused, the blocks stay with their plugin\n";
$before = tree($sm);
[$rc, $out] = install(['--uninstall', $sm], true);
echo "rc $rc\n", str_replace($sm, 'SM', $out);
echo 'nothing written: ', json_encode(tree($sm) === $before), "\n";
?>
--CLEAN--
<?php
$work = sys_get_temp_dir() . '/sqauth-install-';
foreach (glob("$work*") as $dir) {
    exec('chmod -R u+w ' . escapeshellarg($dir) . ' 2>/dev/null; rm -rf ' . escapeshellarg($dir));
}
?>
--EXPECT--
-- a path with a space
rc 0, 3 files changed after the first
uninstall rc 0, byte for byte: true
-- an older install whose plugins/sqauth/ the installer's user cannot write
rc 1
install: cannot write SM/plugins/sqauth (to update the plugin's files); nothing was changed
nothing written: true
-- the same, with the plugin already up to date: only the blocks change
rc 0
changed functions/global.php: sqsession_destroy
-- --uninstall by that user: refused, the blocks stay with their plugin
rc 1
install: cannot write SM/plugins/sqauth (to remove the plugin's files); nothing was changed
nothing written: true
