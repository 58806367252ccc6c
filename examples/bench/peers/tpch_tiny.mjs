// Cuts a tiny, consistent TPC-H data set (for tests) out of the Parquet
// tables that "bench gen tpch" writes: 40 suppliers, 1,000 parts, 600
// customers, the orders with o_orderkey <= 12000 and their lines. Keys
// beyond the kept ranges are folded into them (customer modulo 600, which
// keeps dbgen's "a third of the customers have no orders"; part modulo
// 1,000), and the suppliers of partsupp and lineitem are dbgen's
// (p + i*(S/4 + (p-1)/S)) % S + 1 for S = 40, so every line's (part,
// supplier) is in partsupp. Comments no query reads are emptied to keep the
// files small. Row groups of 2,000 rows, so tables have several partitions.
// usage (from the folder holding node_modules/@duckdb/node-api):
//   node tpch_tiny.mjs SRC_DIR DST_DIR
import { DuckDBInstance } from '@duckdb/node-api';
const [,, src, dst] = process.argv;
if (!src || !dst) { console.error('usage: node tpch_tiny.mjs SRC_DIR DST_DIR'); process.exit(2); }
const S = 40, P = 1000, C = 600, O = 12000;
const inst = await DuckDBInstance.create(':memory:', { threads: '1' });
const c = await inst.connect();
const t = (n) => `read_parquet('${src}/${n}.parquet')`;
const supp = (p, i) => `((${p} + ${i} * (${S / 4} + (${p} - 1) // ${S})) % ${S} + 1)::INTEGER`;
const q = {
  region: `select * from ${t('region')}`,
  nation: `select * from ${t('nation')}`,
  supplier: `select * from ${t('supplier')} where s_suppkey <= ${S}`,
  customer: `select * from ${t('customer')} where c_custkey <= ${C}`,
  part: `select p_partkey, p_name, p_mfgr, p_brand, p_type, p_size, p_container, p_retailprice, '' as p_comment from ${t('part')} where p_partkey <= ${P}`,
  partsupp: `select ps_partkey, ${supp('ps_partkey', '((row_number() over (partition by ps_partkey order by ps_suppkey)) - 1)')} as ps_suppkey,
    ps_availqty, ps_supplycost, '' as ps_comment from ${t('partsupp')} where ps_partkey <= ${P} order by ps_partkey, ps_suppkey`,
  orders: `select o_orderkey, ((o_custkey - 1) % ${C} + 1)::INTEGER as o_custkey, o_orderstatus, o_totalprice, o_orderdate, o_orderpriority,
    o_clerk, o_shippriority, o_comment from ${t('orders')} where o_orderkey <= ${O}`,
  lineitem: `select l_orderkey, ((l_partkey - 1) % ${P} + 1)::INTEGER as l_partkey,
    ${supp(`((l_partkey - 1) % ${P} + 1)`, '((l_linenumber - 1) % 4)')} as l_suppkey, l_linenumber, l_quantity, l_extendedprice,
    l_discount, l_tax, l_returnflag, l_linestatus, l_shipdate, l_commitdate, l_receiptdate, l_shipinstruct, l_shipmode, '' as l_comment
    from ${t('lineitem')} where l_orderkey <= ${O}`,
};
for (const [name, sql] of Object.entries(q)) {
  await c.run(`copy (${sql}) to '${dst}/${name}.parquet' (format parquet, row_group_size 2000, compression zstd)`);
  const r = (await c.runAndReadAll(`select count(*)::bigint from read_parquet('${dst}/${name}.parquet')`)).getRows()[0];
  console.log(`${name} rows=${r[0]}`);
}
