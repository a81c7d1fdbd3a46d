--TEST--
Manual: a page for every class, method and function, a row for every option, php.ini setting and features() key, nothing the extension lacks; php.net's page layout, signatures from Reflection, links
--EXTENSIONS--
sqauth
--SKIPIF--
<?php
// A documentation check; the option probe it shares runs under valgrind in stub_shapes.phpt.
if (getenv('USE_ZEND_ALLOC') === '0') die('skip under valgrind: documentation check; stub_shapes.phpt runs the same option probe there');
?>
--FILE--
<?php
require __DIR__ . '/manual.inc';

$problems = [];
$fail = function (string $msg) use (&$problems) { $problems[] = $msg; };
$pages = sqauth_manual_pages();
$entities = sqauth_manual_entities();
$stub = sqauth_manual_stub_docs();

/* Pages named like an API page must document something that exists. */
foreach ($pages as $page => $md) {
    if (preg_match('/^(class\.sqauth-|function\.sqauth-|sqauth-[a-z]+\.[a-z]+\.md$)/', $page) && !isset($entities[$page])) {
        $fail("docs/manual/$page documents something the extension does not have (no such class, public method or function)");
    }
}

$required = ['Description', 'Parameters', 'Return Values', 'Errors/Exceptions', 'Examples', 'Changelog'];
foreach ($entities as $page => $e) {
    if (!isset($pages[$page])) {
        $fail("{$e['name']} ({$e['kind']}) has no page: write docs/manual/$page");
        continue;
    }
    $md = $pages[$page];
    $title = $e['kind'] === 'class' ? "# The {$e['name']} class" : "# {$e['name']}";
    if (strtok($md, "\n") !== $title) {
        $fail("$page: the first line must be \"$title\"");
    }
    if ($e['kind'] === 'class') {
        foreach ($entities as $p => $m) {
            if ($m['kind'] === 'method' && $m['ref']->getDeclaringClass()->getName() === $e['name'] && strpos($md, "]($p)") === false) {
                $fail("$page: the class page does not link to its method {$m['name']} ($p)");
            }
        }
        continue;
    }

    /* php.net's order of sections; See Also may follow. */
    $titles = array_column(sqauth_manual_sections($md), 0);
    $order = array_values(array_filter($titles, fn($t) => in_array($t, $required, true)));
    if ($order !== $required) {
        $fail("$page: the sections must be " . implode(', ', $required) . ' in this order (found ' . implode(', ', $titles) . ')');
    }
    foreach (array_diff($titles, array_merge($required, ['See Also'])) as $t) {
        $fail("$page: unexpected section \"## $t\"");
    }

    /* The signature, as Reflection sees it. */
    $doc = $stub[sqauth_manual_stub_key($e['name'])] ?? null;
    if ($doc === null) {
        $fail("$page: {$e['name']} is not in sqauth.stub.php");
        $doc = '';
    }
    $want = sqauth_manual_synopsis($e['ref'], $doc);
    $desc = sqauth_manual_section($md, 'Description') ?? '';
    $have = preg_match('/^```php\n(.*?)^```/ms', $desc, $m) ? sqauth_manual_normalize_synopsis($m[1]) : '(none)';
    if ($have !== $want) {
        $fail("$page: the synopsis is\n    $have\n  but the extension has\n    $want");
    }

    /* One entry per parameter, `$name` at the start of a line. */
    preg_match_all('/^(?:[-*] +)?`\$(\w+)`/m', sqauth_manual_section($md, 'Parameters') ?? '', $m);
    $documented = $m[1];
    $actual = array_map(fn($p) => $p->getName(), $e['ref']->getParameters());
    if ($documented !== $actual) {
        $fail("$page: Parameters lists (" . implode(', ', $documented) . ') but the parameters are (' . implode(', ', $actual) . ')');
    }

    /* Errors/Exceptions and the stub's @throws say the same. */
    $throws = sqauth_manual_doc_throws($doc);
    $errors = sqauth_manual_without_code(sqauth_manual_section($md, 'Errors/Exceptions') ?? '');
    preg_match_all('/\b(?:SqAuth\\\\)?(\w*Exception|ValueError)\b/', $errors, $m);
    $mentioned = array_values(array_unique(array_map('sqauth_manual_class_name', $m[1])));
    $mentioned = array_filter($mentioned, fn($c) => class_exists($c));
    foreach ($throws as $t) {
        if (!in_array($t, $mentioned, true)) {
            $fail("$page: sqauth.stub.php says @throws $t but Errors/Exceptions does not mention it");
        }
    }
    foreach ($mentioned as $c) {
        $covered = false;
        foreach ($throws as $t) {
            $covered = $covered || is_a($c, $t, true);
        }
        if (!$covered) {
            $fail("$page: Errors/Exceptions mentions $c but the stub's @throws for {$e['name']} does not cover it");
        }
    }
}

/* Option keys: the extension's, by behaviour, and the pages'. */
$documentedAll = [];
foreach (sqauth_manual_option_arrays() as $label => $spec) {
    [$page, $section] = $spec['page'];
    try {
        $documentedAll[$label] = sqauth_manual_documented_options($pages, $page, $section);
    } catch (RuntimeException $ex) {
        $fail($ex->getMessage());
        $documentedAll[$label] = false;
    }
}
$known = sqauth_manual_known_options(array_merge(...array_values(array_filter($documentedAll)), ...[[]]));
foreach (sqauth_manual_option_arrays() as $label => $spec) {
    [$page, $section] = $spec['page'];
    $documented = $documentedAll[$label];
    if ($documented === false) {
        continue;
    }
    if ($documented === null) {
        $fail("$label: docs/manual/$page has no section \"$section\" with an Option table");
        continue;
    }
    foreach (array_diff(array_keys($known[$label]), $documented) as $k) {
        $fail("$label: option \"$k\" exists but has no row in docs/manual/$page#$section");
    }
    foreach (array_diff($documented, array_keys($known[$label])) as $k) {
        $fail("$label: docs/manual/$page#$section documents option \"$k\", which the extension does not know");
    }
}

/* php.ini settings: name, default and changeability. */
$ini = ini_get_all('sqauth');
$conf = $pages['sqauth.configuration.md'] ?? '';
$rows = [];
foreach (sqauth_manual_table_rows($conf, 'Name') as $r) {
    $rows[$r[0]] = $r;
}
$access = [INI_USER => 'INI_USER', INI_PERDIR => 'INI_PERDIR', INI_SYSTEM => 'INI_SYSTEM', INI_ALL => 'INI_ALL'];
foreach ($ini as $name => $v) {
    if (!isset($rows[$name])) {
        $fail("php.ini setting $name has no row in docs/manual/sqauth.configuration.md");
        continue;
    }
    $default = trim($rows[$name][1] ?? '', '`" ');
    if ($default !== $v['global_value']) {
        $fail("sqauth.configuration.md: $name's default is \"$default\" but the extension's is \"{$v['global_value']}\"");
    }
    if (trim($rows[$name][2] ?? '', '` ') !== ($access[$v['access']] ?? '?')) {
        $fail("sqauth.configuration.md: $name is changeable " . ($access[$v['access']] ?? $v['access']) . ", not as the table says");
    }
}
foreach (array_diff(array_keys($rows), array_keys($ini)) as $name) {
    $fail("sqauth.configuration.md documents the php.ini setting $name, which the extension does not have");
}

/* features() keys. */
$keys = array_column(sqauth_manual_table_rows($pages['function.sqauth-features.md'] ?? '', 'Key'), 0);
foreach (array_diff(array_keys(SqAuth\features()), $keys) as $k) {
    $fail("features() returns \"$k\" but docs/manual/function.sqauth-features.md has no row for it");
}
foreach (array_diff($keys, array_keys(SqAuth\features())) as $k) {
    $fail("docs/manual/function.sqauth-features.md documents the key \"$k\", which features() does not return");
}

/* Links: every relative link leads to a page (and heading) that exists; every page is reachable from index.md. */
$slugs = [];
foreach ($pages as $page => $md) {
    preg_match_all('/^#+ +(.+?)[ \t]*$/m', sqauth_manual_without_code($md), $m);
    foreach ($m[1] as $h) {
        $slugs[$page][preg_replace('/\s/', '-', preg_replace('/[^\p{L}\p{N}\s_-]/u', '', strtolower($h)))] = true;
    }
    preg_match_all('/<a id="([^"]+)"/', $md, $m);
    foreach ($m[1] as $id) {
        $slugs[$page][$id] = true;
    }
}
$links = [];
foreach ($pages as $page => $md) {
    preg_match_all('/\]\(([^)\s]+)\)/', sqauth_manual_without_code($md), $m);
    foreach ($m[1] as $target) {
        if (preg_match('/^[a-z]+:/', $target)) {
            continue;
        }
        [$file, $anchor] = array_pad(explode('#', $target, 2), 2, null);
        $file = $file === '' ? $page : $file;
        if (strpos($file, '/') !== false) {
            if (!file_exists(sqauth_manual_dir() . '/' . $file)) {
                $fail("$page: link to $target, which does not exist");
            }
            continue;
        }
        if (!isset($pages[$file])) {
            $fail("$page: link to $file, which does not exist");
            continue;
        }
        $links[$page][$file] = true;
        if ($anchor !== null && !isset($slugs[$file][$anchor])) {
            $fail("$page: link to $file#$anchor, which has no such heading");
        }
    }
}
$reached = ['index.md' => true];
for ($todo = ['index.md']; $todo; ) {
    foreach (array_keys($links[array_pop($todo)] ?? []) as $next) {
        if (!isset($reached[$next])) {
            $reached[$next] = true;
            $todo[] = $next;
        }
    }
}
foreach (array_diff(array_keys($pages), array_keys($reached)) as $page) {
    $fail("docs/manual/$page cannot be reached from index.md");
}
if (strpos(file_get_contents(sqauth_manual_root() . '/README.md'), '](docs/manual/index.md)') === false) {
    $fail('README.md does not link to docs/manual/index.md');
}

foreach ($problems as $p) {
    echo "FAIL $p\n";
}
echo $problems ? count($problems) . " problems\n"
    : count($pages) . " pages: every class, method, function, option, php.ini setting and features() key has its page or row, and nothing more\n";
?>
--EXPECTF--
%d pages: every class, method, function, option, php.ini setting and features() key has its page or row, and nothing more
