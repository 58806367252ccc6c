// Browser test of godask's dashboard: starts examples/dashboard, opens its
// page in Debian's chromium through playwright-core (no browser download),
// and checks what a user sees: the task stream draws boxes, the progress
// counts reach the task total, the memory figure is non-zero, the panicking
// task is on the errors page, /metrics needs the token, and the page says
// so once the program has ended. Screenshots go to the output directory.
//
//   node test.js EXAMPLE_BINARY OUT_DIR
"use strict";
const { spawn } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { chromium } = require("playwright-core");

const bin = process.argv[2];
const out = process.argv[3] || fs.mkdtempSync(path.join(os.tmpdir(), "godask-dash-shots-"));
const browserPath = process.env.CHROMIUM || "/usr/bin/chromium";
fs.mkdirSync(out, { recursive: true });

function fail(msg) { console.error("browsertest: FAIL: " + msg); process.exitCode = 1; throw new Error(msg); }
function check(cond, msg) { if (!cond) fail(msg); console.log("ok   " + msg); }

function startExample() {
  return new Promise((resolve, reject) => {
    const p = spawn(bin, ["-seconds", process.env.DASH_SECONDS || "20", "-hold", "15s"], { stdio: ["ignore", "pipe", "inherit"] });
    let buf = "";
    p.stdout.on("data", (d) => {
      buf += d;
      process.stdout.write("  example| " + d);
      const i = buf.indexOf("\n");
      if (i >= 0 && !p.url) { p.url = buf.slice(0, i).trim(); resolve(p); }
    });
    p.on("exit", (code) => { p.exited = true; p.code = code; if (!p.url) reject(new Error("example exited with " + code + " before printing its URL")); });
  });
}

(async () => {
  const t0 = Date.now();
  const ex = await startExample();
  const url = ex.url;
  check(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32}$/.test(url), "the example prints the URL with its token first: " + url);
  const base = url.slice(0, url.indexOf("?")), token = url.slice(url.indexOf("token=") + 6);

  let r = await fetch(base + "metrics");
  let body = await r.text();
  check(r.status === 403 && !body.includes("godask_"), "/metrics without the token answers 403 and nothing else");
  // A wrong token of the right length: its first digit differs from the real one's.
  r = await fetch(base + "metrics?token=" + (token[0] === "0" ? "1" : "0") + token.slice(1));
  check(r.status === 403, "/metrics with a wrong token answers 403");
  r = await fetch(base + "?token=wrong");
  check(r.status === 403, "the page with a wrong token answers 403");

  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "godask-chromium-"));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: browserPath,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const page = ctx.pages()[0] || (await ctx.newPage());
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(url);
    await page.waitForFunction(() => document.getElementById("conn").textContent === "live", null, { timeout: 15000 });
    check(true, "the page connects to the event stream");
    await page.waitForFunction(() => +document.getElementById("stream").dataset.boxes > 20, null, { timeout: 30000 });
    await page.waitForTimeout(4000);
    const boxes = await page.$eval("#stream", (c) => +c.dataset.boxes);
    check(boxes > 20, "the task stream draws boxes (" + boxes + ")");
    await page.screenshot({ path: path.join(out, "status-running.png") });

    // The watched run is the second; wait for it to end.
    await page.waitForFunction(() => /run 2 done/.test(document.getElementById("run-state").textContent), null, { timeout: 120000 });
    await page.waitForTimeout(500);
    const done = +(await page.textContent("#total-done")), total = +(await page.textContent("#total-tasks"));
    check(total > 0 && done === total, "the progress counts reach the task total (" + done + " / " + total + ")");
    const rows = await page.$$eval("#progress .n", (ns) => ns.map((n) => [+n.dataset.done, +n.dataset.total]));
    check(rows.length >= 3 && rows.every((x) => x[0] === x[1]), "every op group's progress is complete (" + rows.length + " groups)");
    r = await fetch(base + "metrics?token=" + token);
    body = await r.text();
    const m = /^godask_tasks_finished_total (\d+)$/m.exec(body);
    check(r.status === 200 && m && +m[1] >= total, "/metrics with the token reports godask_tasks_finished_total " + (m && m[1]));

    const memMax = +(await page.$eval("#mem-held", (e) => e.dataset.max));
    check(memMax > 0, "the memory figure is non-zero (peak held " + memMax + " bytes)");
    const opRows = await page.$$eval("#optable tbody tr", (t) => t.length);
    check(opRows >= 3, "the time-per-op table has a row per op (" + opRows + ")");
    await page.screenshot({ path: path.join(out, "status.png") });

    await page.click('nav a[data-page="graph"]');
    await page.waitForSelector("#graph svg", { timeout: 10000 });
    const note = await page.textContent("#graph-note");
    check(/op group/.test(note) || /tasks/.test(note), "the graph page draws the graph: " + note);
    await page.screenshot({ path: path.join(out, "graph.png") });

    await page.click('nav a[data-page="workers"]');
    // the page fills its table from a fetch after the click: wait for it (up to 10 s)
    await page.waitForFunction(() => document.querySelectorAll("#workers tbody tr").length >= 2, null, { timeout: 10000 }).catch(() => {});
    const wrows = await page.$$eval("#workers tbody tr", (t) => t.map((r) => r.textContent));
    check(wrows.length >= 2 && /local/.test(wrows[0]), "the workers page has the local worker and its threads (" + wrows.length + " rows)");
    await page.screenshot({ path: path.join(out, "workers.png") });

    await page.click('nav a[data-page="errors"]');
    await page.waitForSelector("#errors tbody tr.err", { timeout: 10000 });
    const err = await page.textContent("#errors tbody");
    check(/unlucky/.test(err) && /panic/.test(err), "the erroring task is on the errors page with its op and panic");
    check((await page.$$("#errors details")).length > 0, "the panic's stack is there");
    await page.screenshot({ path: path.join(out, "errors.png") });

    // The example closes its dashboard 15 s after the work; the page must say so.
    await page.click('nav a[data-page="status"]');
    await page.waitForFunction(() => /closed|ended/.test(document.getElementById("banner").textContent), null, { timeout: 30000 });
    check(true, "the page says the program's run has ended: " + (await page.textContent("#banner")));
    await page.screenshot({ path: path.join(out, "ended.png") });
    check(errors.length === 0, "no script errors on the page " + errors.join("; "));
  } finally {
    await ctx.close();
    fs.rmSync(profile, { recursive: true, force: true });
    if (!ex.exited) ex.kill();
  }
  console.log("browsertest: PASS in " + ((Date.now() - t0) / 1000).toFixed(1) + " s; screenshots in " + out);
})().catch((e) => { console.error(e); process.exitCode = 1; });
