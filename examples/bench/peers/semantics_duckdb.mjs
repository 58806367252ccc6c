// The DuckDB side of 'bench semantics' (frame/SEMANTICS.md): reads the
// Parquet files godask wrote as table t, runs each query's SQL and compares
// its rows with godask's answer, cell by cell in the canonical text of
// semCell (examples/bench/semantics.go).
// usage: node semantics_duckdb.mjs ANSWERS.json LABEL
// Prints 'semantics/LABEL queries=Q matched=M documented=D unexpected=U';
// every mismatch goes to stderr. @duckdb/node-api comes from GODASK_PEERS
// (default ~/.cache/godask-peers).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
const require = createRequire((process.env.GODASK_PEERS || `${homedir()}/.cache/godask-peers`) + '/');
const { DuckDBInstance } = require('@duckdb/node-api');

const [,, answers, label] = process.argv;
const spec = JSON.parse(readFileSync(answers, 'utf8'));
const inst = await DuckDBInstance.create(':memory:', { threads: '2' });
const c = await inst.connect();
await c.run(`CREATE TABLE t AS SELECT * FROM read_parquet('${spec.parquet}')`);

function cell(v) {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NaN';
    if (v === Infinity) return 'Inf';
    if (v === -Infinity) return '-Inf';
    if (v === 0) return '0';
    const [m, e] = v.toExponential(11).split('e');
    return `${m}e${parseInt(e, 10)}`;
  }
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && 'micros' in v) return v.micros.toString();
  return String(v);
}

let matched = 0, documented = 0, unexpected = 0;
for (const q of spec.queries) {
  let rows;
  try {
    const r = await c.runAndReadAll(q.sql);
    rows = r.getRows().map(row => row.map(cell));
  } catch (e) {
    console.error(`semantics/${label} ${q.name}: DuckDB error: ${e.message.split('\n')[0]}`);
    unexpected++;
    continue;
  }
  // Integer-valued results DuckDB types as double (avg, sums of doubles) are
  // compared in float form; frame's integer cells stay decimal, so an int
  // cell also matches its float text.
  if (!q.ordered) rows.sort((a, b) => { const x = a.join('\u0000'), y = b.join('\u0000'); return x < y ? -1 : x > y ? 1 : 0; });
  const want = q.rows || [];
  let diff = '';
  if (rows.length !== want.length) diff = `${want.length} rows from godask, ${rows.length} from DuckDB`;
  else {
    outer: for (let i = 0; i < rows.length; i++) {
      for (let j = 0; j < Math.max(rows[i].length, want[i].length); j++) {
        if (rows[i][j] !== want[i][j]) { diff = `row ${i} column ${j}: godask ${JSON.stringify(want[i][j])}, DuckDB ${JSON.stringify(rows[i][j])} (row ${JSON.stringify(want[i])} vs ${JSON.stringify(rows[i])})`; break outer; }
      }
    }
  }
  if (!diff) { matched++; continue; }
  if (q.documented) { documented++; console.error(`semantics/${label} ${q.name}: documented difference (${q.documented}): ${diff}`); continue; }
  unexpected++;
  console.error(`semantics/${label} ${q.name}: MISMATCH: ${diff}\n  sql: ${q.sql}`);
}
console.log(`semantics/${label} queries=${spec.queries.length} matched=${matched} documented=${documented} unexpected=${unexpected}`);
