#!/usr/bin/env node
// check-kql.js: checks KQL queries with Microsoft's own parser and binder,
// Kusto.Language as shipped in the npm package @kusto/language-service-next
// (pinned in package.json / package-lock.json; install with
// tools/kusto-setup.sh).
//
// Usage:
//   node check-kql.js --schemas DIR [--schemas DIR2 ...] [options] INPUT...
//
// Inputs:
//   FILE.json      sigc convert -f json output: an array of
//                  {id, title, level, query, source} (a single such object,
//                  as written by -f json -o DIR/, is accepted too)
//   FILE.kql       raw query text (also: --kql FILE for any file name).
//                  Queries are separated by a line that is exactly `// ----`
//                  (surrounding blanks allowed); a file without one holds one
//                  query.  A `// id: X` comment line in a query (as in sigc's
//                  default format) names it; otherwise it is FILE#N.
//   DIR            every *.json and *.kql file in it (not recursive), sorted
//
// Schemas: every *.tsv file in each --schemas DIR (sorted, not recursive).
//   Lines are `<table>\t<column>\t<kusto type>`; blank lines and lines
//   starting with `#` are ignored.  A file named functions.tsv (or
//   *.functions.tsv) declares functions instead of tables, with the same
//   line shape: `<function>\t<column>\t<type>` declares a function with no
//   parameters returning a table of those columns (ASIM parsers such as
//   imProcessCreate).  An optional line
//   `<function>\t(params)\t<kusto parameter list>`, e.g.
//   `imProcessCreate\t(params)\tstarttime:datetime=datetime(null)`, gives
//   the function parameters (with defaults, so it can still be called bare).
//   Types are Kusto scalar type names (string, long, int, real, bool,
//   datetime, timespan, guid, dynamic, decimal, and their aliases).
//   Tables and functions all go into one database, the default database of
//   the global state every query is analysed with.
//
// Options:
//   --database NAME  name of that database (default: sigc)
//   --analyzers      also run Kusto's code analyzers (performance and
//                    correctness hints such as KS508); they are reported and
//                    counted but, unless an analyzer says Error, never fail
//   --quiet          print only Error diagnostics (warnings are still
//                    counted in the closing lines)
//
// Output: one line per diagnostic,
//   <source>: <id>: <severity> <code> <message> at offset N: <excerpt>
// where the excerpt shows the query around the offset with the diagnosed
// span between >> and <<, newlines shown as \n.  Offsets count UTF-16 code
// units from the start of the query (JavaScript string indexes: a character
// outside the BMP, such as an emoji, counts 2).  Then a counts line
// (`check-kql: ... W warnings in Q queries ...`) and the summary line
// `N passed, M failed` (N + M = queries checked; a query fails when it has
// at least one diagnostic of severity Error, or is empty).
//
// Kusto.Language's own limits are errors too: KS245 "Query syntax depth
// exceeds maximum safe limit" for a syntax tree deeper than its
// MaxAnalysisDepth (500), e.g. a chain of ~1000 `or`.
//
// Exit status: 0 all passed, 1 some query failed, 2 usage, input or schema
// error (nothing checked) or an internal error.
'use strict';

const fs = require('fs');
const path = require('path');

// Usage, input and schema errors: reported at the top level, exit 2.
class Fatal extends Error {}
function die(msg) {
    throw new Fatal(msg);
}

function loadKusto() {
    // The package's main file needs the Bridge.NET runtime loaded first;
    // both define globals (Bridge, System, Kusto).
    try {
        require('@kusto/language-service-next/bridge.min.js');
        require('@kusto/language-service-next/Kusto.Language.Bridge.min.js');
    } catch (e) {
        die('cannot load @kusto/language-service-next (' + e.message.split('\n')[0] +
            '); run tools/kusto-setup.sh');
    }
    return global.Kusto;
}

// ---------------------------------------------------------------- arguments

function parseArgs(argv) {
    const opts = { schemas: [], inputs: [], database: 'sigc', analyzers: false, quiet: false };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const value = () => {
            if (i + 1 >= argv.length) die('option ' + a + ' needs a value');
            return argv[++i];
        };
        if (a === '--schemas') opts.schemas.push(value());
        else if (a === '--kql') opts.inputs.push({ file: value(), kind: 'kql' });
        else if (a === '--database') opts.database = value();
        else if (a === '--analyzers') opts.analyzers = true;
        else if (a === '--quiet' || a === '-q') opts.quiet = true;
        else if (a === '--help' || a === '-h') {
            process.stdout.write('usage: node check-kql.js --schemas DIR [--schemas DIR2] ' +
                '[--database NAME] [--analyzers] [--quiet] [--kql FILE.kql] FILE.json|FILE.kql|DIR...\n');
            process.exit(0);
        } else if (a.startsWith('-') && a !== '-') die('unknown option ' + a);
        else opts.inputs.push({ file: a, kind: null });
    }
    if (opts.schemas.length === 0) die('no --schemas DIR given');
    if (opts.inputs.length === 0) die('no input files given');
    return opts;
}

// ------------------------------------------------------------------ schemas

function quoteName(name) {
    return "['" + name.replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "']";
}

function loadSchemas(K, dirs, dbName) {
    const S = K.Language.Symbols;
    const tables = new Map();     // name -> {columns: Map(name -> {type, where}), where}
    const functions = new Map();  // name -> {columns, params, where}
    for (const dir of dirs) {
        let names;
        try {
            names = fs.readdirSync(dir).filter((n) => n.endsWith('.tsv')).sort();
        } catch (e) {
            die('cannot read schema directory ' + dir + ': ' + e.message);
        }
        if (names.length === 0) die('no *.tsv files in schema directory ' + dir);
        for (const name of names) {
            const file = path.join(dir, name);
            const isFunctions = name === 'functions.tsv' || name.endsWith('.functions.tsv');
            const mine = isFunctions ? functions : tables;
            const other = isFunctions ? tables : functions;
            const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
            lines.forEach((line, idx) => {
                const where = file + ':' + (idx + 1);
                if (line.trim() === '' || line.trimStart().startsWith('#')) return;
                const f = line.split('\t');
                if (f.length !== 3 || f.some((x) => x.trim() === ''))
                    die(where + ': expected <name>\\t<column>\\t<type>, got ' + JSON.stringify(line));
                const [owner, column, typeText] = f.map((x) => x.trim());
                if (other.has(owner))
                    die(where + ": '" + owner + "' is declared both as a table and as a function (" +
                        other.get(owner).where + ')');
                let entry = mine.get(owner);
                if (!entry) {
                    entry = { columns: new Map(), params: null, where };
                    mine.set(owner, entry);
                }
                if (column === '(params)') {
                    if (!isFunctions) die(where + ': (params) is only allowed in functions.tsv');
                    if (entry.params !== null) die(where + ': second (params) line for ' + owner);
                    entry.params = typeText;
                    return;
                }
                const type = S.ScalarTypes.GetSymbol(typeText.toLowerCase());
                if (!type) die(where + ": unknown Kusto type '" + typeText + "'");
                const seen = entry.columns.get(column);
                if (seen && seen.type !== type)
                    die(where + ': column ' + owner + '.' + column + ' redeclared as ' + type.Name +
                        ' (was ' + seen.type.Name + ' at ' + seen.where + ')');
                if (!seen) entry.columns.set(column, { type, where });
            });
        }
    }
    const symbols = [];
    const columnsOf = (entry) => [...entry.columns].map(([n, c]) =>
        new S.ColumnSymbol(n, c.type, null, null, null, null));
    for (const [name, entry] of tables) {
        symbols.push(new S.TableSymbol.$ctor4(name, columnsOf(entry)));
    }
    for (const [name, entry] of functions) {
        if (entry.columns.size === 0) die(entry.where + ': function ' + name + ' has no columns');
        if (entry.params === null) {
            // FunctionSymbol(name, returnType, Parameter[]): no parameters,
            // returns a table of these columns.
            symbols.push(new S.FunctionSymbol.$ctor5(name, new S.TableSymbol.ctor(columnsOf(entry)), []));
        } else {
            // FunctionSymbol(name, parameterList, body, description): the
            // result schema comes from the body, an empty datatable.
            const cols = [...entry.columns].map(([n, c]) => quoteName(n) + ':' + c.type.Name);
            const body = '{ datatable(' + cols.join(', ') + ')[] }';
            const params = entry.params.trim().startsWith('(') ? entry.params : '(' + entry.params + ')';
            entry.fnParams = params;
            entry.fnBody = body;
            symbols.push(new S.FunctionSymbol.$ctor16(name, params, body, null));
        }
    }
    if (symbols.length === 0) die('the schema directories declare no tables or functions');
    const db = new S.DatabaseSymbol.ctor(dbName, symbols);
    const globals = K.Language.GlobalState.Default.WithDatabase(db);
    // A parameter list that does not parse or bind would only show up as
    // query errors: check each one on its own, as a let statement with the
    // same body, so the schema is blamed instead.
    for (const [name, entry] of functions) {
        if (entry.params === null) continue;
        const text = 'let f = ' + entry.fnParams + ' ' + entry.fnBody + ';\nf';
        const code = K.Language.KustoCode.ParseAndAnalyze(text, K.Language.GlobalState.Default);
        const errors = diagList(code.GetDiagnostics()).filter((d) => d.Severity === 'Error');
        if (errors.length)
            die(entry.where + ': function ' + name + ': bad (params) or columns: ' + errors[0].Message +
                ' in ' + JSON.stringify(text.slice(0, text.length - 3)));
    }
    return { globals, tables: tables.size, functions: functions.size };
}

// ------------------------------------------------------------------- inputs

function readQueriesJson(file, text) {
    let data;
    try {
        data = JSON.parse(text);
    } catch (e) {
        die(file + ': not JSON: ' + e.message);
    }
    if (!Array.isArray(data)) data = [data];
    return data.map((q, i) => {
        if (q === null || typeof q !== 'object' || typeof q.query !== 'string')
            die(file + ': entry ' + i + ' has no string "query"');
        return {
            id: q.id ? String(q.id) : '(none)',
            source: q.source ? String(q.source) : file + '#' + (i + 1),
            query: q.query,
        };
    });
}

function readQueriesKql(file, text) {
    const lines = text.split('\n');
    const out = [];
    let start = 0;
    const flush = (end) => {
        const body = lines.slice(start, end).join('\n');
        // a piece with nothing but blanks and comments (a header before the
        // first separator, a trailing separator) is not a query
        if (body.replace(/\/\/.*$/gm, '').trim() === '') return;
        const idm = /^[ \t]*\/\/[ \t]*id:[ \t]*(\S.*?)[ \t\r]*$/m.exec(body);
        out.push({ id: idm ? idm[1] : file + '#' + (out.length + 1), source: file + ':' + (start + 1), query: body });
    };
    for (let i = 0; i < lines.length; i++) {
        if (lines[i].trim() === '// ----') {
            flush(i);
            start = i + 1;
        }
    }
    flush(lines.length);
    return out;
}

function expandInputs(inputs) {
    const out = [];
    for (const inp of inputs) {
        let st;
        try {
            st = fs.statSync(inp.file);
        } catch (e) {
            die('cannot read ' + inp.file + ': ' + e.message);
        }
        if (st.isDirectory()) {
            const names = fs.readdirSync(inp.file).filter((n) => /\.(json|kql)$/.test(n)).sort();
            for (const n of names) out.push({ file: path.join(inp.file, n), kind: n.endsWith('.kql') ? 'kql' : 'json' });
        } else {
            out.push({ file: inp.file, kind: inp.kind || (inp.file.endsWith('.kql') ? 'kql' : 'json') });
        }
    }
    return out;
}

// ------------------------------------------------------------------ checking

function diagList(list) {
    const out = [];
    if (!list) return out;
    const n = list.Count;
    for (let i = 0; i < n; i++) out.push(list.getItem(i));
    return out;
}

function excerpt(text, start, length) {
    const esc = (s) => s.replace(/\\/g, '\\\\').replace(/\r/g, '\\r').replace(/\n/g, '\\n').replace(/\t/g, '\\t');
    const from = Math.max(0, start - 30);
    const to = Math.min(text.length, start + length + 30);
    return (from > 0 ? '...' : '') + esc(text.slice(from, start)) + '>>' + esc(text.slice(start, start + length)) +
        '<<' + esc(text.slice(start + length, to)) + (to < text.length ? '...' : '');
}

// Checks one query: {errors, warnings, others, lines} where lines are the
// report lines to print (Error ones always; others unless quiet).
function checkQuery(K, globals, opts, q) {
    const res = { errors: 0, warnings: 0, others: 0, lines: [] };
    const report = (sev, code, msg, start, len) => {
        res.lines.push(q.source + ': ' + q.id + ': ' + sev + ' ' + code + ' ' + msg.replace(/\s*\n\s*/g, ' ') +
            ' at offset ' + start + ': ' + excerpt(q.query, start, len));
    };
    if (q.query.trim() === '') {
        res.errors++;
        report('Error', 'SIGC-EMPTY', 'empty query', 0, 0);
        return res;
    }
    const code = K.Language.KustoCode.ParseAndAnalyze(q.query, globals);
    let diags = diagList(code.GetDiagnostics());
    if (opts.analyzers) {
        const svc = new K.Language.Editor.KustoCodeService.ctor(code);
        diags = diags.concat(diagList(svc.GetAnalyzerDiagnostics(true)));
    }
    for (const d of diags) {
        const sev = d.Severity || 'Error';
        if (sev === 'Error') res.errors++;
        else if (sev === 'Warning') res.warnings++;
        else res.others++;
        if (sev === 'Error' || !opts.quiet)
            report(sev, d.Code || '-', d.Message || '', d.HasLocation ? d.Start : 0, d.HasLocation ? d.Length : 0);
    }
    return res;
}

function main() {
    const opts = parseArgs(process.argv.slice(2));
    const t0 = process.hrtime.bigint();
    const queries = [];
    for (const inp of expandInputs(opts.inputs)) {
        let text;
        try {
            text = fs.readFileSync(inp.file, 'utf8');
        } catch (e) {
            die('cannot read ' + inp.file + ': ' + e.message);
        }
        const qs = inp.kind === 'kql' ? readQueriesKql(inp.file, text) : readQueriesJson(inp.file, text);
        for (const q of qs) queries.push(q);
    }
    const K = loadKusto();
    const schema = loadSchemas(K, opts.schemas, opts.database);
    const t1 = process.hrtime.bigint();
    let passed = 0, failed = 0, warnings = 0, warned = 0, others = 0;
    for (const q of queries) {
        const r = checkQuery(K, schema.globals, opts, q);
        if (r.lines.length) process.stdout.write(r.lines.join('\n') + '\n');
        warnings += r.warnings;
        others += r.others;
        if (r.warnings) warned++;
        if (r.errors) failed++;
        else passed++;
    }
    const t2 = process.hrtime.bigint();
    const ms = (a, b) => (Number(b - a) / 1e6).toFixed(0);
    process.stdout.write('check-kql: ' + schema.tables + ' tables, ' + schema.functions + ' functions; ' +
        queries.length + ' queries; ' + warnings + ' warnings in ' + warned + ' queries' +
        (others ? ', ' + others + ' suggestions/infos' : '') + '; ' +
        'load ' + ms(t0, t1) + ' ms, analysis ' + ms(t1, t2) + ' ms\n');
    process.stdout.write(passed + ' passed, ' + failed + ' failed\n');
    return failed ? 1 : 0;
}

let rc;
try {
    rc = main();
} catch (e) {
    // a bug here or in the library: exit 2 too, never 1 (= a query failed)
    process.stderr.write('check-kql: ' + (e instanceof Fatal ? e.message : 'internal error: ' + (e && e.stack || e)) + '\n');
    rc = 2;
}
process.exitCode = rc;
