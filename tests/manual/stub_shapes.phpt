--TEST--
sqauth.stub.php: its option array shapes name exactly the keys the extension knows (with the types it asks for), its PHPDoc parses with PHPStan's parser, @throws names real classes, sqauth_arginfo.h is generated from it
--EXTENSIONS--
sqauth
--SKIPIF--
<?php
require __DIR__ . '/manual.inc';
if (!is_file(SQAUTH_MANUAL_PHPDOC_PARSER)) die('skip php-phpstan-phpdoc-parser is not installed (scripts/setup.sh installs it)');
?>
--FILE--
<?php
require __DIR__ . '/manual.inc';
use PHPStan\PhpDocParser\Ast;

$problems = [];
$fail = function (string $msg) use (&$problems) { $problems[] = $msg; };
$parse = sqauth_manual_phpdoc_parser();
$docs = sqauth_manual_stub_docs();
$root = sqauth_manual_root();

/* The arginfo comes from this stub (scripts/gen-arginfo.sh records its hash). */
$stubHash = sha1(str_replace("\r\n", "\n", file_get_contents("$root/sqauth.stub.php")));
preg_match('/\* Stub hash: ([0-9a-f]+) \*/', file_get_contents("$root/sqauth_arginfo.h"), $m);
if (($m[1] ?? '') !== $stubHash) {
    $fail('sqauth_arginfo.h was not generated from this sqauth.stub.php: run sh scripts/gen-arginfo.sh');
}

/* Every doc comment parses, and every @throws is a Throwable class. */
$nodes = [];
foreach ($docs as $name => $doc) {
    if ($doc === '') {
        continue;
    }
    $nodes[$name] = $node = $parse($doc);
    foreach ($node->getTags() as $tag) {
        if ($tag->value instanceof Ast\PhpDoc\InvalidTagValueNode) {
            $fail("$name: PHPStan cannot read \"{$tag->name} {$tag->value->value}\": {$tag->value->exception->getMessage()}");
        }
    }
    foreach (sqauth_manual_doc_throws($doc) as $class) {
        if (!is_a($class, Throwable::class, true)) {
            $fail("$name: @throws $class is not a Throwable class");
        }
    }
}

/* The PHP types a PHPDoc type allows, coarsely: string, int, float, bool, array, ... */
function base_types(Ast\Type\TypeNode $t): array
{
    if ($t instanceof Ast\Type\UnionTypeNode) {
        return array_values(array_unique(array_merge(...array_map('base_types', $t->types))));
    }
    if ($t instanceof Ast\Type\NullableTypeNode) {
        return array_merge(base_types($t->type), ['null']);
    }
    if ($t instanceof Ast\Type\CallableTypeNode) {
        return ['callable'];
    }
    if ($t instanceof Ast\Type\ConstTypeNode) {
        return [$t->constExpr instanceof Ast\ConstExpr\ConstExprStringNode ? 'string'
            : ($t->constExpr instanceof Ast\ConstExpr\ConstExprIntegerNode ? 'int' : 'mixed')];
    }
    if ($t instanceof Ast\Type\ArrayShapeNode || $t instanceof Ast\Type\ArrayTypeNode) {
        return ['array'];
    }
    if ($t instanceof Ast\Type\GenericTypeNode) {
        return [in_array($t->type->name, ['list', 'array', 'non-empty-list', 'non-empty-array'], true) ? 'array' : ltrim($t->type->name, '\\')];
    }
    $n = ltrim((string)$t, '\\');
    return [['non-empty-string' => 'string', 'positive-int' => 'int', 'true' => 'bool', 'false' => 'bool'][$n] ?? $n];
}

/* Option shapes against the extension. */
$shapes = [];
foreach (sqauth_manual_option_arrays() as $label => $spec) {
    [$class, $function, $param] = $spec['stub'];
    $name = $class ? "$class::$function" : $function;
    $shapes[$label] = null;
    foreach (isset($nodes[$name]) ? $nodes[$name]->getParamTagValues() : [] as $tag) {
        if ($tag->parameterName === "\$$param") {
            $shapes[$label] = $tag->type;
        }
    }
    if (!$shapes[$label] instanceof Ast\Type\ArrayShapeNode) {
        $fail("$label: sqauth.stub.php has no @param array{...} \$$param for $name");
        $shapes[$label] = null;
    }
}
$extra = [];
foreach ($shapes as $shape) {
    foreach ($shape ? $shape->items : [] as $item) {
        $extra[] = trim((string)$item->keyName, "'\"");
    }
}
$known = sqauth_manual_known_options($extra);
$total = 0;
foreach ($shapes as $label => $shape) {
    if (!$shape) {
        continue;
    }
    $declared = [];
    foreach ($shape->items as $item) {
        $key = trim((string)$item->keyName, "'\"");
        $declared[$key] = $item;
        if (!$item->optional) {
            $fail("$label: shape key \"$key\" must be optional (key?: type): every option has a default");
        }
    }
    if (!$shape->sealed) {
        $fail("$label: the shape must be sealed (no \"...\"): unknown keys are a ValueError");
    }
    foreach (array_diff_key($known[$label], $declared) as $key => $e) {
        $fail("$label: the extension knows \"$key\" but the stub's shape lacks it");
    }
    foreach ($declared as $key => $item) {
        if (!array_key_exists($key, $known[$label])) {
            $fail("$label: the stub's shape has \"$key\" but the extension does not know it");
            continue;
        }
        $total++;
        $e = $known[$label][$key];
        if ($e === null) {
            $fail("$label: \"$key\" accepted an object; the probe cannot tell its type");
            continue;
        }
        if (strpos($e->getMessage(), "\"$key\"") === false) {
            $fail("$label: the error for \"$key\" does not name it: " . $e->getMessage());
        }
        $cTypes = sqauth_manual_error_types($e);
        if ($cTypes !== null) {
            $docTypes = base_types($item->valueType);
            sort($docTypes);
            if ($docTypes !== $cTypes) {
                $fail("$label: \"$key\" is " . implode('|', $docTypes) . ' in the stub but the extension asks for ' . implode('|', $cTypes));
            }
        }
    }
}

/* @return shapes against values the extension returns. */
$php = ['boolean' => 'bool', 'integer' => 'int', 'double' => 'float', 'string' => 'string', 'array' => 'array', 'NULL' => 'null'];
$returns = 0;
foreach (sqauth_manual_return_samples() as $name => $samples) {
    $type = null;
    foreach (isset($nodes[$name]) ? $nodes[$name]->getReturnTagValues() : [] as $tag) {
        $type = $tag->type;
    }
    // list<X> and X|null: the shape is X
    if ($type instanceof Ast\Type\GenericTypeNode && in_array($type->type->name, ['list', 'array'], true)) {
        $type = end($type->genericTypes);
    }
    if ($type instanceof Ast\Type\UnionTypeNode) {
        $type = current(array_filter($type->types, fn($t) => !in_array((string)$t, ['null'], true)));
    }
    if ($type === null) {
        $fail("$name: sqauth.stub.php has no @return for it");
        continue;
    }
    foreach ($samples as $sample) {
        $value = $sample();
        $returns++;
        if (!$type instanceof Ast\Type\ArrayShapeNode) {
            if (!in_array($php[gettype($value)], base_types($type), true)) {
                $fail("$name: returns " . gettype($value) . ' but the stub says ' . $type);
            }
            continue;
        }
        $items = [];
        foreach ($type->items as $item) {
            $items[trim((string)$item->keyName, "'\"")] = $item;
        }
        foreach ($value as $k => $v) {
            if (!isset($items[$k])) {
                $fail("$name: returns the key \"$k\", which the stub's @return shape lacks");
            } elseif (!in_array($php[gettype($v)], base_types($items[$k]->valueType), true)) {
                $fail("$name: \"$k\" is " . gettype($v) . ' but the stub says ' . $items[$k]->valueType);
            }
        }
        foreach ($items as $k => $item) {
            if (!$item->optional && !array_key_exists($k, $value)) {
                $fail("$name: the stub's @return shape has \"$k\", which it did not return");
            }
        }
    }
}

foreach ($problems as $p) {
    echo "FAIL $p\n";
}
echo $problems ? count($problems) . " problems\n" : count($shapes) . " option shapes, $total keys, $returns returned values: the stub and the extension agree\n";
?>
--EXPECTF--
%d option shapes, %d keys, %d returned values: the stub and the extension agree
