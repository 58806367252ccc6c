// db-benchmark groupby questions on DuckDB, in memory after one load.
// usage: node groupby_duckdb.mjs FILE.csv [threads] [q1,q2,...]
// One line per question: 'groupby/qN seconds=S rows=R chk=C' (chk: sum of every numeric cell).
// godask copy (issue 12): adds gcumsum, gquantile, q9corr, pivot on the groupby table and,
// on the Parquet tables of `bench gen windows` in $TSDATA (default data/ts), roll, resample, asof.
import { DuckDBInstance } from '@duckdb/node-api';
const [,, path, threads, only] = process.argv;
const inst = await DuckDBInstance.create(':memory:', { threads: threads || '2' });
const c = await inst.connect();
let t = Date.now();
await c.run(`create table x as select * from read_csv('${path}', header=true)`);
console.log(`groupby/load seconds=${((Date.now()-t)/1000).toFixed(3)}`);
const Q = {
 q1: "select id1, sum(v1) as v1 from x group by id1",
 q2: "select id1, id2, sum(v1) as v1 from x group by id1, id2",
 q3: "select id3, sum(v1) as v1, avg(v3) as v3 from x group by id3",
 q4: "select id4, avg(v1) as v1, avg(v2) as v2, avg(v3) as v3 from x group by id4",
 q5: "select id6, sum(v1) as v1, sum(v2) as v2, sum(v3) as v3 from x group by id6",
 q6: "select id4, id5, quantile_cont(v3, 0.5) as median_v3, stddev(v3) as sd_v3 from x group by id4, id5",
 q7: "select id3, max(v1)-min(v2) as range_v1_v2 from x group by id3",
 q8: "select id6, v3 from (select id6, v3, row_number() over (partition by id6 order by v3 desc) as o from x where v3 is not null) t where o <= 2",
 q9: "select id2, id4, pow(corr(v1, v2), 2) as r2 from x group by id2, id4",
 q10: "select id1, id2, id3, id4, id5, id6, sum(v3) as v3, count(*) as cnt from x group by id1, id2, id3, id4, id5, id6",
 gcumsum: "select sum(v1) over (partition by id1 order by rowid rows between unbounded preceding and current row) as v1 from x",
 gquantile: "select id2, quantile_cont(v3, 0.9) as v3 from x group by id2",
 q9corr: "select id2, id4, pow(corr(v1, v2), 2) as r2 from x group by id2, id4",
 pivot: "pivot x on id4 using sum(v1) group by id1",
 roll: "select avg(v) over (order by rowid rows between 99 preceding and current row) as v from ts",
 resample: "select time_bucket(interval '1 hour', ts) as ts, avg(v) as v from ts group by 1",
 asof: "select ts.g, ts.v, quotes.q from ts asof left join quotes on ts.ts >= quotes.ts",
};
const tsQ = new Set(['roll', 'resample', 'asof']);
const names = only ? only.split(',') : Object.keys(Q).filter(k => !tsQ.has(k));
if (names.some(k => tsQ.has(k))) {
  const dir = process.env.TSDATA || 'data/ts';
  t = Date.now();
  await c.run(`create table ts as select * from read_parquet('${dir}/ts/*.parquet') order by ts`);
  await c.run(`create table quotes as select * from read_parquet('${dir}/quotes/*.parquet') order by ts`);
  console.log(`groupby/tsload seconds=${((Date.now()-t)/1000).toFixed(3)}`);
}
// REPEAT=N: each question N times in this process, the median time (as
// `bench groupby -repeat N`); the answer checked is the last run's.
const repeat = Math.max(1, Number(process.env.REPEAT || 1));
const median = xs => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m-1] + s[m]) / 2; };
for (const k of names) {
  const times = [];
  for (let i = 0; i < repeat; i++) {
    t = Date.now();
    await c.run(`create or replace table ans as ${Q[k]}`);
    times.push((Date.now()-t)/1000);
  }
  const dt = median(times);
  const cols = (await c.runAndReadAll(`select column_name from information_schema.columns where table_name='ans' and data_type not in ('VARCHAR') and data_type not like 'TIMESTAMP%'`)).getRows().map(r => r[0]);
  const sum = cols.map(n => `coalesce(sum("${n}")::double,0)`).join('+') || '0';
  const r = (await c.runAndReadAll(`select count(*)::bigint, ${sum} from ans`)).getRows()[0];
  console.log(`groupby/${k} seconds=${dt.toFixed(3)} rows=${r[0]} chk=${Number(r[1]).toPrecision(10)}`);
}
