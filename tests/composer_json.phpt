--TEST--
composer.json (PIE): valid against PIE's php-ext schema and consistent with config.m4, package.xml and the compat header; the checker catches each kind of mistake
--SKIPIF--
<?php
if (!is_file(dirname(__DIR__) . '/composer.json')) die('skip composer.json not shipped here');
// A PHP script in ten child processes and no extension code: under valgrind
// (run-tests -m sets USE_ZEND_ALLOC=0) that is a minute of memcheck for nothing.
if (getenv('USE_ZEND_ALLOC') === '0') die('skip under valgrind: checks a JSON file with a PHP script, no extension code');
?>
--FILE--
<?php
$root = dirname(__DIR__);
$check = "$root/scripts/check-composer-json.php";
function run(string $check, string $root, string $file): void
{
    // -n: no ini; -d pcre.jit=0 for valgrind runs (run-tests -m traces the child too)
    exec(escapeshellarg(PHP_BINARY) . ' -n -d pcre.jit=0 ' . escapeshellarg($check) . ' '
        . escapeshellarg($file) . ' --root ' . escapeshellarg($root) . ' 2>&1', $out, $rc);
    echo implode("\n", $out), "\nexit $rc\n";
}
echo "== the real file\n";
run($check, $root, "$root/composer.json");

$good = json_decode(file_get_contents("$root/composer.json"), true);
$tmp = tempnam(sys_get_temp_dir(), 'sqauth-composer');
$variants = [
    'type library' => fn ($d) => ['type' => 'library'] + $d,
    'extension name with a hyphen, priority out of range, string boolean' => function ($d) {
        $d['php-ext']['extension-name'] = 'sq-auth';
        $d['php-ext']['priority'] = 5;
        $d['php-ext']['support-zts'] = 'yes';
        return $d;
    },
    'another module name' => function ($d) {
        $d['php-ext']['extension-name'] = 'ext-sqauth2';
        return $d;
    },
    'misspelt key, both OS lists, unknown OS' => function ($d) {
        $d['php-ext']['configure-option'] = [];
        $d['php-ext']['os-families'] = ['linux', 'hurd'];
        $d['php-ext']['os-families-exclude'] = ['windows'];
        return $d;
    },
    'configure options: leading --, unknown flag, value on a without-, no name' => function ($d) {
        $d['php-ext']['configure-options'] = [
            ['name' => '--without-sqauth-libidn', 'description' => 'x'],
            ['name' => 'with-sqauth-gnutls', 'description' => 'x'],
            ['name' => 'without-sqauth-libidn', 'needs-value' => true, 'description' => 'x'],
            ['needs-value' => 'no'],
        ];
        return $d;
    },
    'libidn option not offered' => function ($d) {
        $d['php-ext']['configure-options'] = [];
        return $d;
    },
    'PHP range and license not those of package.xml' => function ($d) {
        $d['require']['php'] = '>=8.1';
        $d['license'] = 'PHP-3.01';
        return $d;
    },
    'download-url-method and build-path' => function ($d) {
        $d['php-ext']['download-url-method'] = 'pre-built';
        $d['php-ext']['build-path'] = '../elsewhere';
        return $d;
    },
];
foreach ($variants as $label => $change) {
    echo "== $label\n";
    file_put_contents($tmp, json_encode($change($good), JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES));
    run($check, $root, $tmp);
}
echo "== not JSON\n";
file_put_contents($tmp, '{"name": ');
run($check, $root, $tmp);
unlink($tmp);
?>
--EXPECTF--
== the real file
composer.json: ok (php-ext sqauth, PHP >=8.2.0 <8.6.0, configure options: --without-sqauth-libidn)
exit 0
== type library
composer.json: type: must be "php-ext" (a PHP module) or "php-ext-zend" (a Zend extension), got "library"
exit 1
== extension name with a hyphen, priority out of range, string boolean
composer.json: php-ext.extension-name: "sq-auth" is not a valid extension name (a letter, then letters, digits or _)
composer.json: php-ext.priority: must be between 10 and 99, 5 given
composer.json: php-ext.support-zts: must be a boolean, string given
exit 1
== another module name
composer.json: php-ext.extension-name: "sqauth2" is not the module name in sqauth.c ("sqauth")
exit 1
== misspelt key, both OS lists, unknown OS
composer.json: php-ext.configure-option: is not a key of PIE's php-ext schema (known: extension-name, priority, support-zts, support-nts, build-path, download-url-method, os-families, os-families-exclude, configure-options)
composer.json: php-ext: os-families and os-families-exclude must not both be given
composer.json: php-ext.os-families.1: "hurd" is not one of windows, bsd, darwin, solaris, linux, unknown
exit 1
== configure options: leading --, unknown flag, value on a without-, no name
composer.json: php-ext.configure-options.0.name: "--without-sqauth-libidn" does not match ^[a-zA-Z0-9][a-zA-Z0-9-_]*$ (no leading --)
composer.json: php-ext.configure-options.1.name: --with-sqauth-gnutls is not an option of config.m4 (it has: --enable-sqauth, --disable-sqauth, --with-sqauth-libidn, --without-sqauth-libidn)
composer.json: php-ext.configure-options.2.needs-value: --without-sqauth-libidn takes no value
composer.json: php-ext.configure-options.3.name: is missing
composer.json: php-ext.configure-options.3.needs-value: must be a boolean, string given
composer.json: php-ext.configure-options.3.description: is missing: pie install --help shows it
exit 1
== libidn option not offered
composer.json: php-ext.configure-options: config.m4's option sqauth-libidn is not offered (PIE passes only listed options to ./configure)
exit 1
== PHP range and license not those of package.xml
composer.json: require.php: ">=8.1" differs from package.xml's 8.2.0..8.5.99 (want ">=8.2.0 <8.6.0")
composer.json: license: "PHP-3.01" differs from package.xml's "MIT"
exit 1
== download-url-method and build-path
composer.json: php-ext.build-path: must be a relative path inside the package, "../elsewhere" given
composer.json: php-ext.download-url-method: must be composer-default or pre-packaged-source, "pre-built" given
exit 1
== not JSON
%s: not valid JSON: Syntax error
exit 1
