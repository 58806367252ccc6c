// The "sort" question of the groupby suite on DuckDB: the whole table
// ordered by v3 into a new table, in memory after one load.
// usage: node sort_duckdb.mjs FILE.csv [threads]   (from the directory with node_modules)
// One line: 'groupby/sort seconds=S rows=R chk=C' (chk: sum of v3).
import { DuckDBInstance } from '@duckdb/node-api';
const [,, path, threads] = process.argv;
const inst = await DuckDBInstance.create(':memory:', { threads: threads || '2' });
const c = await inst.connect();
let t = Date.now();
await c.run(`create table x as select * from read_csv('${path}', header=true)`);
console.log(`groupby/load seconds=${((Date.now()-t)/1000).toFixed(3)}`);
t = Date.now();
await c.run(`create or replace table ans as select * from x order by v3`);
const dt = (Date.now()-t)/1000;
const r = (await c.runAndReadAll(`select count(*)::bigint, sum(v3)::double from ans`)).getRows()[0];
console.log(`groupby/sort seconds=${dt.toFixed(3)} rows=${r[0]} chk=${Number(r[1]).toPrecision(10)}`);
