/**
 * `npm run bench peers` (issue 18): our figures beside what a merchant or developer would use
 * instead, measured in the same run on the same machine, as ratios. Three parts:
 * - storefront (bench/peers/storefront.ts): page-load bytes of GrowthBook's SDK and of ouibounce;
 * - webhooks (bench/peers/webhooks.ts): Shopify's app template's webhook route on the same server
 *   and database (PostgreSQL), at one fixed rate and at capacity;
 * - queue (bench/peers/queue.ts): pg-boss and graphile-worker on no-op jobs and recovery steps.
 * Every part counts duplicates and losses, ours and the peers'. See docs/decisions/060-benchmarks.md.
 */
import { benchPeerQueue } from "./queue";
import { benchPeerStorefront } from "./storefront";
import { benchPeerWebhooks } from "./webhooks";

type Row = { section: string; figure: string; value: string | number };
const fmt = (x: number | null | undefined) => (x === null || x === undefined ? "—" : x.toLocaleString("en-US"));

export async function benchPeers({ withPostgres }: { withPostgres: <T>(fn: () => Promise<T>) => Promise<T | undefined> }) {
  const started = performance.now();
  const table: Row[] = [];
  const storefront = await benchPeerStorefront();
  table.push({
    section: "peers.storefront (gzip -9 B at page load)",
    figure: "ours · GrowthBook SDK · ouibounce (theirs ÷ ours)",
    value: `${fmt(storefront.ours.gzipBytes)} · ${fmt(storefront.growthbook.gzipBytes)} (${storefront.ratio.growthbookOverOurs}×) · ${fmt(storefront.exitIntent.gzipBytes)} (${storefront.ratio.exitIntentOverOurs}×)`,
  });
  const webhooks = await withPostgres(() => benchPeerWebhooks());
  if (webhooks) {
    const { ours, template } = webhooks;
    table.push(
      {
        section: `peers.webhooks.postgres capacity (p99 ≤ 20 ms, 0 errors/lost; ${webhooks.webProcesses} web process)`,
        figure: "ours · template rps (ours ÷ template) · errors · lost · duplicates",
        value: `${fmt(ours.rps)} · ${fmt(template.rps)} (${webhooks.ratio ?? "—"}) · ${ours.errors}/${template.errors} · ${ours.lost}/${template.lost} · ${ours.duplicates}/${template.duplicates}`,
      },
      {
        section: `peers.webhooks.postgres at ${webhooks.offeredRps}/s`,
        figure: "p50 / p99 ms ours · template · server CPU ms/delivery ours / template (template ÷ ours)",
        value: `${ours.fixed.p50Ms} / ${ours.fixed.p99Ms} · ${template.fixed.p50Ms} / ${template.fixed.p99Ms} · ${fmt(ours.fixed.cpuMsPerUnit.server)} / ${fmt(template.fixed.cpuMsPerUnit.server)} (${webhooks.serverCpuRatio ?? "—"})`,
      },
    );
  } else table.push({ section: "peers.webhooks", figure: "skipped", value: "no PostgreSQL on 127.0.0.1:5432" });
  const queue = await withPostgres(() => benchPeerQueue());
  if (queue) {
    for (const [name, q] of [
      ["ours", queue.ours],
      ["pgBoss", queue.pgBoss],
      ["graphileWorker", queue.graphileWorker],
    ] as const) {
      table.push({
        section: `peers.queue.${name}`,
        figure: "no-op jobs/s 1 · 4 workers · steps/s (4 processes) · duplicates · lost",
        value: `${fmt(q.noop.oneWorker.jobsPerSec)} · ${fmt(q.noop.fourWorkers.jobsPerSec)} · ${fmt(q.steps.stepsPerSec)} · ${q.duplicates} · ${q.lost}`,
      });
    }
    const r = queue.ratios;
    table.push({
      section: "peers.queue ratio (ours ÷ best peer)",
      figure: "no-op 1 worker · no-op 4 workers · steps",
      value: `${r.noopOneWorker.ratio} (${r.noopOneWorker.peer}) · ${r.noopFourWorkers.ratio} (${r.noopFourWorkers.peer}) · ${r.steps.ratio} (${r.steps.peer})`,
    });
    table.push({ section: "peers.queue", figure: "a peer wins", value: queue.peerWins.length ? queue.peerWins.join("; ") : "none" });
  } else table.push({ section: "peers.queue", figure: "skipped", value: "no PostgreSQL on 127.0.0.1:5432" });
  const seconds = Math.round((performance.now() - started) / 1000);
  table.push({ section: "peers", figure: "section seconds", value: seconds });
  return { results: { storefront, ...(webhooks ? { webhooks } : {}), ...(queue ? { queue } : {}), seconds }, table };
}
