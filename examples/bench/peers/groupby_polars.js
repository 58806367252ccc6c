// db-benchmark groupby questions on Polars (node binding), in memory after one load.
// usage: node groupby_polars.js FILE.csv [q1,q2,...]
// One line per question: 'groupby/qN seconds=S rows=R chk=C' (chk: sum of every numeric cell).
// godask copy (issue 12): adds gcumsum, gquantile, q9corr, pivot on the groupby table and,
// on the Parquet tables of `bench gen windows` in $TSDATA (default data/ts), roll, resample, asof.
const pl = require('nodejs-polars');
const [,, path, only] = process.argv;
let t = Date.now();
const x = pl.readCSV(path);
console.log(`groupby/load seconds=${((Date.now()-t)/1000).toFixed(3)}`);
const Q = {
 q1: () => x.groupBy("id1").agg(pl.col("v1").sum()),
 q2: () => x.groupBy(["id1","id2"]).agg(pl.col("v1").sum()),
 q3: () => x.groupBy("id3").agg(pl.col("v1").sum(), pl.col("v3").mean()),
 q4: () => x.groupBy("id4").agg(pl.col("v1").mean(), pl.col("v2").mean(), pl.col("v3").mean()),
 q5: () => x.groupBy("id6").agg(pl.col("v1").sum(), pl.col("v2").sum(), pl.col("v3").sum()),
 q6: () => x.groupBy(["id4","id5"]).agg(pl.col("v3").median().alias("median_v3"), pl.col("v3").std().alias("sd_v3")),
 q7: () => x.groupBy("id3").agg(pl.col("v1").max().sub(pl.col("v2").min()).alias("range_v1_v2")),
 q10: () => x.groupBy(["id1","id2","id3","id4","id5","id6"]).agg(pl.col("v3").sum(), pl.col("v1").count().alias("count")),
 gcumsum: () => x.select(pl.col("v1").cumSum().over("id1")),
 gquantile: () => x.groupBy("id2").agg(pl.col("v3").quantile(0.9, "linear")),
 q9corr: () => x.groupBy(["id2","id4"]).agg(pl.pearsonCorr("v1", "v2").pow(2).alias("r2")),
 pivot: () => x.pivot("v1", {index: "id1", on: "id4", aggregateFunc: "sum"}),
 roll: () => ts.select(pl.col("v").rollingMean({windowSize: 100, minPeriods: 1})),
 resample: () => ts.groupByDynamic({indexColumn: "ts", every: "1h"}).agg(pl.col("v").mean()),
 asof: () => ts.joinAsof(quotes, {on: "ts", strategy: "backward"}).select("g", "v", "q"),
};
const tsQ = new Set(['roll', 'resample', 'asof']);
const names = only ? only.split(',') : Object.keys(Q).filter(k => !tsQ.has(k));
let ts, quotes;
if (names.some(k => tsQ.has(k))) {
  const dir = process.env.TSDATA || 'data/ts';
  const fs = require('fs');
  const read = d => pl.concat(fs.readdirSync(`${dir}/${d}`).filter(f => f.endsWith('.parquet')).sort().map(f => pl.readParquet(`${dir}/${d}/${f}`))).sort("ts");
  t = Date.now(); ts = read('ts'); quotes = read('quotes');
  console.log(`groupby/tsload seconds=${((Date.now()-t)/1000).toFixed(3)}`);
}
// REPEAT=N: each question N times in this process, the median time (as
// `bench groupby -repeat N`); the answer checked is the last run's.
const repeat = Math.max(1, Number(process.env.REPEAT || 1));
const median = xs => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m-1] + s[m]) / 2; };
for (const k of names) {
  const times = []; let r;
  for (let i = 0; i < repeat; i++) { t = Date.now(); r = Q[k](); times.push((Date.now()-t)/1000); }
  const dt = median(times);
  let chk = 0;
  for (const c of r.columns) { const s = r.getColumn(c); if (s.isNumeric()) chk += Number(s.sum()); }
  console.log(`groupby/${k} seconds=${dt.toFixed(3)} rows=${r.height} chk=${chk.toPrecision(10)}`);
}
