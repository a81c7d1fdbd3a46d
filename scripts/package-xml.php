<?php
/*
 * Writes the <contents> of package.xml from the files git tracks, so that the
 * PECL tarball always carries every source and test file.
 *   php scripts/package-xml.php          rewrite package.xml
 *   php scripts/package-xml.php --check  exit 1 and list what differs
 * tests/package_xml.phpt runs the check as part of the test suite.
 */
declare(strict_types=1);

$root = dirname(__DIR__);

/** Files that belong in the PECL package, with their PEAR role. */
function package_files(string $root): array
{
    $out = [];
    exec('git -C ' . escapeshellarg($root) . ' ls-files', $files, $rc);
    if ($rc !== 0) {
        fwrite(STDERR, "git ls-files failed\n");
        exit(2);
    }
    foreach ($files as $f) {
        // CI glue and the package description itself are not part of the package.
        if ($f === 'package.xml' || $f === '.gitignore' || str_starts_with($f, '.ci/')) {
            continue;
        }
        if (str_starts_with($f, 'tests/')) {
            $role = 'test';
        } elseif (preg_match('~\.(c|h|m4|w32)$|\.stub\.php$~', $f)) {
            $role = 'src';
        } else {
            $role = 'doc';
        }
        $out[$f] = $role;
    }
    ksort($out);
    return $out;
}

/** Files listed in package.xml's <contents>, with their role. */
function listed_files(string $xml): array
{
    preg_match_all('~<file\s+name="([^"]+)"\s+role="([a-z]+)"\s*/>~', $xml, $m, PREG_SET_ORDER);
    $out = [];
    foreach ($m as [, $name, $role]) {
        $out[html_entity_decode($name, ENT_QUOTES | ENT_XML1)] = $role;
    }
    ksort($out);
    return $out;
}

$xml = file_get_contents("$root/package.xml");
$want = package_files($root);

if (in_array('--check', $argv, true)) {
    $have = listed_files($xml);
    $missing = array_diff_key($want, $have);
    $extra = array_diff_key($have, $want);
    foreach ($missing as $f => $r) {
        echo "missing from package.xml: $f\n";
    }
    foreach ($extra as $f => $r) {
        echo "listed in package.xml but not tracked: $f\n";
    }
    foreach (array_intersect_key($want, $have) as $f => $r) {
        if ($have[$f] !== $r) {
            echo "wrong role for $f: {$have[$f]} (want $r)\n";
        }
    }
    if ($missing || $extra) {
        echo "run: php scripts/package-xml.php\n";
        exit(1);
    }
    echo "package.xml lists all " . count($want) . " files\n";
    exit(0);
}

$lines = [];
foreach ($want as $f => $role) {
    $lines[] = '   <file name="' . htmlspecialchars($f, ENT_QUOTES | ENT_XML1) . '" role="' . $role . '"/>';
}
$contents = "<contents>\n  <dir name=\"/\">\n" . implode("\n", $lines) . "\n  </dir>\n </contents>";
$new = preg_replace('~<contents>.*?</contents>~s', $contents, $xml, 1, $count);
if ($count !== 1) {
    fwrite(STDERR, "package.xml has no <contents> element\n");
    exit(2);
}
file_put_contents("$root/package.xml", $new);
echo "package.xml: " . count($want) . " files\n";
