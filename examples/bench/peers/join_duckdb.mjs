// db-benchmark join questions on DuckDB, in memory after one load.
// usage: node join_duckdb.mjs DIR [threads] [q1,q2,...]
// DIR holds the tables of 'bench gen join' (J1_<n>_NA_0_0.csv and the three
// right tables J1_<n>_<rows>_0_0.csv). One line per question:
// 'join/qN seconds=S rows=R chk=C' (chk: sum of every numeric cell).
import { DuckDBInstance } from '@duckdb/node-api';
import { readdirSync, readFileSync } from 'node:fs';
const [,, dir, threads, only] = process.argv;
const files = readdirSync(dir).filter(f => /^J1_.*_0_0\.csv$/.test(f));
const xf = files.find(f => f.endsWith('_NA_0_0.csv'));
const n = Number(xf.split('_')[1]);
const label = v => { const e = Math.log10(v); return Number.isInteger(e) ? `1e${e}` : String(v); };
const name = rows => `J1_${xf.split('_')[1]}_${label(Math.max(1, Math.trunc(rows)))}_0_0.csv`;
const inst = await DuckDBInstance.create(':memory:', { threads: threads || '2' });
const c = await inst.connect();
let t = Date.now();
for (const [tab, f] of [['x', xf], ['small', name(n / 1e6)], ['medium', name(n / 1e3)], ['big', name(n)]]) {
  const head = readFileSync(`${dir}/${f}`, 'utf8').slice(0, 200).split('\n')[0].split(',');
  const types = head.map(h => `'${h}':'${/^id[123]$/.test(h) ? 'BIGINT' : /^id/.test(h) ? 'VARCHAR' : 'DOUBLE'}'`).join(',');
  await c.run(`create table ${tab} as select * from read_csv('${dir}/${f}', header=true, types={${types}})`);
}
console.log(`join/load seconds=${((Date.now()-t)/1000).toFixed(3)}`);
const Q = {
 q1: "select x.*, small.id4 as small_id4, v2 from x join small using (id1)",
 q2: "select x.*, medium.id1 as medium_id1, medium.id4 as medium_id4, medium.id5 as medium_id5, v2 from x join medium using (id2)",
 q3: "select x.*, medium.id1 as medium_id1, medium.id4 as medium_id4, medium.id5 as medium_id5, v2 from x left join medium using (id2)",
 q4: "select x.*, medium.id1 as medium_id1, medium.id2 as medium_id2, medium.id4 as medium_id4, v2 from x join medium using (id5)",
 q5: "select x.*, big.id1 as big_id1, big.id2 as big_id2, big.id4 as big_id4, big.id5 as big_id5, big.id6 as big_id6, v2 from x join big using (id3)",
};
const names = only ? only.split(',') : Object.keys(Q);
for (const k of names) {
  t = Date.now();
  await c.run(`create or replace table ans as ${Q[k]}`);
  const dt = (Date.now()-t)/1000;
  const cols = (await c.runAndReadAll(`select column_name from information_schema.columns where table_name='ans' and data_type not in ('VARCHAR')`)).getRows().map(r => r[0]);
  const sum = cols.map(n => `coalesce(sum("${n}")::double,0)`).join('+') || '0';
  const r = (await c.runAndReadAll(`select count(*)::bigint, ${sum} from ans`)).getRows()[0];
  console.log(`join/${k} seconds=${dt.toFixed(3)} rows=${r[0]} chk=${Number(r[1]).toPrecision(10)}`);
}
