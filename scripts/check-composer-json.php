<?php
/*
 * Checks composer.json, the package description PIE (the PHP Foundation's
 * extension installer) reads, against PIE's documented `php-ext` schema
 * (resources/composer-json-php-ext-schema.json and docs/extension-maintainers.md
 * in php/pie: every key, its type, enum, range and pattern), and against
 * the rest of this repository, so that the two installers cannot drift apart:
 *   - extension-name is the name in sqauth.c's zend_module_entry;
 *   - every configure option is a flag config.m4 accepts, and every
 *     PHP_ARG_WITH/PHP_ARG_ENABLE of config.m4 (besides the extension's own
 *     --enable) is offered;
 *   - the PHP range equals package.xml's <php><min>/<max> and the floor that
 *     src/php/php_sqauth_compat.h enforces; the license equals package.xml's.
 * Stricter than the schema in one way: an unknown key inside php-ext or a
 * configure option is an error (a misspelt key would be ignored by PIE).
 *
 *   php scripts/check-composer-json.php [composer.json] [--root DIR]
 * Prints one line per problem and exits 1, or prints one "ok" line.
 */
declare(strict_types=1);

$args = array_slice($argv, 1);
$root = dirname(__DIR__);
$file = null;
for ($i = 0; $i < count($args); $i++) {
    if ($args[$i] === '--root') {
        $root = $args[++$i] ?? '';
    } else {
        $file = $args[$i];
    }
}
$file ??= "$root/composer.json";

$errors = [];
$err = function (string $where, string $msg) use (&$errors): void {
    $errors[] = "$where: $msg";
};

/** The JSON type name the schema uses for a decoded value. */
function json_type(mixed $v): string
{
    return match (true) {
        is_array($v) => array_is_list($v) ? 'array' : 'object',
        is_int($v) => 'integer',
        is_float($v) => 'number',
        is_string($v) => 'string',
        is_bool($v) => 'boolean',
        $v === null => 'null',
        default => 'object',
    };
}

/* Decode keeping {} and [] apart: an empty object is an object. */
$text = @file_get_contents($file);
if ($text === false) {
    echo "$file: cannot be read\n";
    exit(1);
}
try {
    $json = json_decode($text, false, 64, JSON_THROW_ON_ERROR);
} catch (JsonException $e) {
    echo "$file: not valid JSON: {$e->getMessage()}\n";
    exit(1);
}
/* stdClass -> array for objects, but remember which were objects. */
$normalise = function (mixed $v) use (&$normalise): mixed {
    if ($v instanceof stdClass) {
        $a = [];
        foreach (get_object_vars($v) as $k => $x) {
            $a[(string)$k] = $normalise($x);
        }
        return $a === [] ? new ArrayObject() : $a;   // keep "{}" an object
    }
    if (is_array($v)) {
        return array_map($normalise, $v);
    }
    return $v;
};
$type_of = fn (mixed $v): string => $v instanceof ArrayObject ? 'object' : json_type($v);
$doc = $normalise($json);
if ($type_of($doc) !== 'object') {
    echo "$file: the top level must be an object\n";
    exit(1);
}

/* --- the package: Composer's name rule, PIE's type rule --- */
$name = $doc['name'] ?? null;
if (!is_string($name) || !preg_match('{^[a-z0-9]([_.-]?[a-z0-9]+)*/[a-z0-9](([_.]|-{1,2})?[a-z0-9]+)*$}D', $name)) {
    $err('name', 'must be a Composer package name vendor/package in lower case');
}
$type = $doc['type'] ?? null;
if ($type !== 'php-ext' && $type !== 'php-ext-zend') {
    $err('type', 'must be "php-ext" (a PHP module) or "php-ext-zend" (a Zend extension), got ' . json_encode($type));
} elseif ($type === 'php-ext-zend') {
    $err('type', 'sqauth is a PHP module (zend_module_entry, no zend_extension_entry): must be "php-ext"');
}

/* --- php-ext, key by key as the schema defines it --- */
$os_families = ['windows', 'bsd', 'darwin', 'solaris', 'linux', 'unknown'];
$known = ['extension-name', 'priority', 'support-zts', 'support-nts', 'build-path',
          'download-url-method', 'os-families', 'os-families-exclude', 'configure-options'];
$ext = $doc['php-ext'] ?? null;
if ($ext === null) {
    $err('php-ext', 'is missing: PIE needs at least the extension name and configure options');
    $ext = [];
} elseif ($type_of($ext) !== 'object') {
    $err('php-ext', 'must be an object, ' . $type_of($ext) . ' given');
    $ext = [];
}
if ($ext instanceof ArrayObject) {
    $ext = [];
}
foreach (array_diff(array_keys($ext), $known) as $k) {
    $err("php-ext.$k", 'is not a key of PIE\'s php-ext schema (known: ' . implode(', ', $known) . ')');
}

$module = null;
if (preg_match('/zend_module_entry\s+sqauth_module_entry\s*=\s*\{\s*STANDARD_MODULE_HEADER\s*,\s*"([^"]+)"/', (string)@file_get_contents("$root/sqauth.c"), $m)) {
    $module = $m[1];
}
if (!array_key_exists('extension-name', $ext)) {
    $err('php-ext.extension-name', 'is missing (it would be derived from the package name)');
} elseif (!is_string($ext['extension-name'])) {
    $err('php-ext.extension-name', 'must be a string, ' . $type_of($ext['extension-name']) . ' given');
} else {
    $extname = preg_replace('/^ext-/', '', $ext['extension-name']);
    if (!preg_match('/^[A-Za-z][a-zA-Z0-9_]+$/D', $extname)) {
        $err('php-ext.extension-name', "\"$extname\" is not a valid extension name (a letter, then letters, digits or _)");
    } elseif ($module !== null && $extname !== $module) {
        $err('php-ext.extension-name', "\"$extname\" is not the module name in sqauth.c (\"$module\")");
    }
}

if (array_key_exists('priority', $ext)) {
    $p = $ext['priority'];
    if (!is_int($p)) {
        $err('php-ext.priority', 'must be an integer, ' . $type_of($p) . ' given');
    } elseif ($p < 10 || $p > 99) {
        $err('php-ext.priority', "must be between 10 and 99, $p given");
    }
}
foreach (['support-zts', 'support-nts'] as $k) {
    if (array_key_exists($k, $ext) && !is_bool($ext[$k])) {
        $err("php-ext.$k", 'must be a boolean, ' . $type_of($ext[$k]) . ' given');
    }
}
if (($ext['support-zts'] ?? true) === false && ($ext['support-nts'] ?? true) === false) {
    $err('php-ext', 'support-zts and support-nts are both false: the package could not be installed anywhere');
}

$build_path = '.';
if (array_key_exists('build-path', $ext) && $ext['build-path'] !== null) {
    $bp = $ext['build-path'];
    if (!is_string($bp)) {
        $err('php-ext.build-path', 'must be a string or null, ' . $type_of($bp) . ' given');
    } elseif ($bp === '' || $bp[0] === '/' || $bp[0] === '\\' || str_contains($bp, '..') || preg_match('/^[A-Za-z]:/', $bp)) {
        $err('php-ext.build-path', "must be a relative path inside the package, \"$bp\" given");
    } else {
        $build_path = $bp;
    }
}
if (!is_file("$root/$build_path/config.m4")) {
    $err('php-ext.build-path', "$build_path/config.m4 does not exist: PIE runs phpize and ./configure there");
}

if (array_key_exists('download-url-method', $ext)) {
    $d = $ext['download-url-method'];
    if (!is_string($d)) {
        $err('php-ext.download-url-method', 'must be a string, ' . $type_of($d) . ' given');
    } elseif (!in_array($d, ['composer-default', 'pre-packaged-source'], true)) {
        $err('php-ext.download-url-method', "must be composer-default or pre-packaged-source, \"$d\" given");
    }
}

if (array_key_exists('os-families', $ext) && array_key_exists('os-families-exclude', $ext)) {
    $err('php-ext', 'os-families and os-families-exclude must not both be given');
}
foreach (['os-families', 'os-families-exclude'] as $k) {
    if (!array_key_exists($k, $ext)) {
        continue;
    }
    $v = $ext[$k];
    if ($type_of($v) !== 'array') {
        $err("php-ext.$k", 'must be an array, ' . $type_of($v) . ' given');
        continue;
    }
    if ($v === []) {
        $err("php-ext.$k", 'must contain at least one OS family');
    }
    foreach ($v as $i => $f) {
        if (!is_string($f) || !in_array($f, $os_families, true)) {
            $err("php-ext.$k.$i", json_encode($f) . ' is not one of ' . implode(', ', $os_families));
        }
    }
}

/* The flags ./configure accepts, from config.m4: PHP_ARG_WITH([x]) gives
 * --with-x and --without-x, PHP_ARG_ENABLE([x]) --enable-x and --disable-x. */
$m4 = (string)@file_get_contents("$root/$build_path/config.m4");
preg_match_all('/PHP_ARG_(WITH|ENABLE)\(\s*\[?([A-Za-z0-9_-]+)\]?/', $m4, $mm, PREG_SET_ORDER);
$accepted = [];
$offerable = [];   // each option of config.m4 that a user may want to set
foreach ($mm as [, $kind, $arg]) {
    $forms = $kind === 'WITH' ? ["with-$arg", "without-$arg"] : ["enable-$arg", "disable-$arg"];
    foreach ($forms as $f) {
        $accepted[$f] = $arg;
    }
    if ($arg !== $module) {
        $offerable[$arg] = false;
    }
}

if (array_key_exists('configure-options', $ext)) {
    $opts = $ext['configure-options'];
    if ($type_of($opts) !== 'array') {
        $err('php-ext.configure-options', 'must be an array, ' . $type_of($opts) . ' given');
        $opts = [];
    }
    foreach ($opts as $i => $o) {
        $where = "php-ext.configure-options.$i";
        if ($type_of($o) !== 'object' || $o instanceof ArrayObject) {
            $err($where, 'must be an object with at least "name"');
            continue;
        }
        foreach (array_diff(array_keys($o), ['name', 'needs-value', 'description']) as $k) {
            $err("$where.$k", 'is not a key of a configure option (name, needs-value, description)');
        }
        if (!array_key_exists('name', $o)) {
            $err("$where.name", 'is missing');
        } elseif (!is_string($o['name'])) {
            $err("$where.name", 'must be a string, ' . $type_of($o['name']) . ' given');
        } elseif (!preg_match('/^[a-zA-Z0-9][a-zA-Z0-9-_]*$/D', $o['name'])) {
            $err("$where.name", "\"{$o['name']}\" does not match ^[a-zA-Z0-9][a-zA-Z0-9-_]*\$ (no leading --)");
        } elseif (!isset($accepted[$o['name']])) {
            $err("$where.name", "--{$o['name']} is not an option of config.m4 (it has: --"
                . implode(', --', array_keys($accepted)) . ')');
        } else {
            $offerable[$accepted[$o['name']]] = true;
            $negative = str_starts_with($o['name'], 'without-') || str_starts_with($o['name'], 'disable-');
            if ($negative && ($o['needs-value'] ?? false) === true) {
                $err("$where.needs-value", "--{$o['name']} takes no value");
            }
        }
        if (array_key_exists('needs-value', $o) && !is_bool($o['needs-value'])) {
            $err("$where.needs-value", 'must be a boolean, ' . $type_of($o['needs-value']) . ' given');
        }
        if (array_key_exists('description', $o) && !is_string($o['description'])) {
            $err("$where.description", 'must be a string, ' . $type_of($o['description']) . ' given');
        } elseif (!isset($o['description']) || trim((string)$o['description']) === '') {
            $err("$where.description", 'is missing: pie install --help shows it');
        }
    }
}
foreach ($offerable as $arg => $seen) {
    if (!$seen) {
        $err('php-ext.configure-options', "config.m4's option $arg is not offered (PIE passes only listed options to ./configure)");
    }
}

/* --- the PHP range and license, the same as package.xml and the compat header --- */
$xml = (string)@file_get_contents("$root/package.xml");
$min = preg_match('~<php>\s*<min>([0-9.]+)</min>~', $xml, $m) ? $m[1] : null;
$max = preg_match('~<php>\s*<min>[0-9.]+</min>\s*<max>([0-9.]+)</max>~', $xml, $m) ? $m[1] : null;
$php = $doc['require']['php'] ?? null;
if (!is_string($php)) {
    $err('require.php', 'is missing: PIE checks the target PHP against it');
} elseif ($min === null || $max === null) {
    $err('require.php', 'package.xml has no <php><min> and <max> to compare with');
} else {
    [$maj, $minr] = array_map('intval', explode('.', $max));
    $want = ">=$min <$maj." . ($minr + 1) . '.0';
    if ($php !== $want) {
        $err('require.php', "\"$php\" differs from package.xml's $min..$max (want \"$want\")");
    }
    $compat = (string)@file_get_contents("$root/src/php/php_sqauth_compat.h");
    [$a, $b] = array_map('intval', explode('.', $min));
    $floor = sprintf('PHP_VERSION_ID < %d%02d00', $a, $b);
    if (!str_contains($compat, "#if $floor")) {
        $err('require.php', "src/php/php_sqauth_compat.h does not stop builds below $min (#if $floor)");
    }
}
$license = preg_match('~<license[^>]*>([^<]+)</license>~', $xml, $m) ? trim($m[1]) : null;
if (($doc['license'] ?? null) !== $license) {
    $err('license', json_encode($doc['license'] ?? null) . ' differs from package.xml\'s ' . json_encode($license));
}

foreach ($errors as $e) {
    echo "composer.json: $e\n";
}
if ($errors) {
    exit(1);
}
echo "composer.json: ok (php-ext " . ($extname ?? '?') . ", PHP $php, configure options: "
    . implode(' ', array_map(fn ($o) => '--' . $o['name'], $ext['configure-options'] ?? [])) . ")\n";
exit(0);
