// LIKE and regexp filters on DuckDB over N in-memory strings, the peer of
// `bench strings` (same data: TPC-H p_type values picked by
// (i * 2654435761) % 150).
// usage: node strings_duckdb.mjs [N] [threads] [reps]
// One line per query: 'strings/NAME seconds=S rows=R' (the fastest of reps).
import { DuckDBInstance } from '@duckdb/node-api';
const [,, nArg, threads, repsArg] = process.argv;
const n = Number(nArg || 1e7), reps = Number(repsArg || 3);
const inst = await DuckDBInstance.create(':memory:', { threads: threads || '2' });
const c = await inst.connect();
await c.run(`create table part as select
  list_extract(['STANDARD','SMALL','MEDIUM','LARGE','ECONOMY','PROMO'], (h // 25)::int + 1) || ' ' ||
  list_extract(['ANODIZED','BURNISHED','PLATED','POLISHED','BRUSHED'], (h // 5 % 5)::int + 1) || ' ' ||
  list_extract(['TIN','NICKEL','BRASS','STEEL','COPPER'], (h % 5)::int + 1) as p_type
  from (select (i * 2654435761) % 150 as h from range(${n}) t(i) order by i)`);
const Q = {
  like_suffix: "p_type like '%BRASS'",
  like_prefix: "p_type like 'PROMO%'",
  like_infix: "p_type like '%POLISHED%'",
  like_general: "p_type like '%BR_SS'",
  ilike_suffix: "p_type ilike '%brass'",
  regexp: "regexp_matches(p_type, '^(SMALL|LARGE) .*STEEL$')",
};
for (const [k, cond] of Object.entries(Q)) {
  let best = Infinity, rows = 0;
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    const res = await c.runAndReadAll(`select count(*)::bigint from part where ${cond}`);
    best = Math.min(best, (performance.now() - t) / 1000);
    rows = Number(res.getRows()[0][0]);
  }
  console.log(`strings/${k} seconds=${best.toFixed(4)} rows=${rows}`);
}
