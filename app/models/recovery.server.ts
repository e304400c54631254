import type { DbOrTx } from "~/db.server";
import { q, run } from "./sql/run.server";

/**
 * The recovery worker's reads and writes for a batch of due steps: a fixed number of statements
 * whatever the batch's size (decision 110: Prisma's query compiler planned every `findMany` anew,
 * ~14 % of a worker's CPU at 600 steps/s). Every statement is scoped to the batch's shops.
 */

const unique = <T>(values: T[]) => [...new Set(values)];
/** `IN ()` is not SQL: an empty list reads `IN (NULL)`, which matches nothing (as Prisma's `in: []`). */
const list = <T>(values: readonly T[]): T[] => (values.length ? [...values] : [null as T]);

/** The runs, and any message already recorded for their steps (by idempotency key). */
export async function runsAndPriorMessages(db: DbOrTx, runIds: string[], messageKeys: string[]) {
  return Promise.all([
    run(
      db,
      q(db)
        .selectFrom("FlowRun")
        .selectAll()
        .where("id", "in", list(unique(runIds))),
    ),
    run(db, q(db).selectFrom("Message").select(["id", "idempotencyKey", "status"]).where("idempotencyKey", "in", list(messageKeys))),
  ]);
}

/** The flows with their steps (by position), the checkouts and the shops' settings of a batch. */
export async function batchRows(db: DbOrTx, ids: { flows: string[]; checkouts: string[]; shops: string[] }) {
  const k = q(db);
  const [flows, steps, checkouts, shops] = await Promise.all([
    run(db, k.selectFrom("RecoveryFlow").selectAll().where("id", "in", list(ids.flows))),
    run(db, k.selectFrom("RecoveryStep").selectAll().where("flowId", "in", list(ids.flows)).orderBy("position")),
    run(
      db,
      k
        .selectFrom("Checkout")
        .selectAll()
        .where("id", "in", list(unique(ids.checkouts))),
    ),
    run(
      db,
      k
        .selectFrom("Shop")
        .selectAll()
        .where("shop", "in", list(unique(ids.shops))),
    ),
  ]);
  return { flows, steps, checkouts, shops };
}

/** Suppressions of these addresses (or of their hashes, where a customers/redact erased them). */
export async function suppressionsOf(db: DbOrTx, shops: string[], emails: string[]) {
  if (emails.length === 0) return [];
  return run(db, q(db).selectFrom("Suppression").select(["shop", "email"]).where("shop", "in", list(shops)).where("email", "in", list(emails)));
}

/** Recovery emails sent (or being sent) to these addresses since `since`. */
export async function recentRecoverySends(db: DbOrTx, shops: string[], emails: string[], since: Date) {
  if (emails.length === 0) return [];
  return run(
    db,
    q(db)
      .selectFrom("Message")
      .select(["shop", "email", "sentAt"])
      .where("shop", "in", list(shops))
      .where("email", "in", list(emails))
      .where("kind", "=", "recovery")
      .where("status", "in", ["sent", "sending"])
      .where("sentAt", ">=", since),
  );
}

/** These visitors' cart adds since `since`. */
export async function cartAddsSince(db: DbOrTx, shops: string[], visitorIds: string[], since: Date) {
  if (visitorIds.length === 0) return [];
  return run(
    db,
    q(db)
      .selectFrom("Event")
      .select(["shop", "visitorId", "occurredAt"])
      .where("shop", "in", list(shops))
      .where("visitorId", "in", list(unique(visitorIds)))
      .where("kind", "=", "cart_add")
      .where("occurredAt", ">=", since),
  );
}

/**
 * Overlays shown (not held out) since `since`, in one statement with both halves on indexes: to
 * these visitor ids, and to the visitor ids of contacts with these emails (another device).
 */
export async function overlaysShownSince(db: DbOrTx, shops: string[], visitorIds: string[], emails: string[], since: Date) {
  const k = q(db);
  const byVisitor = k
    .selectFrom("Exposure as x")
    .select((eb) => ["x.shop", "x.visitorId", eb.cast<string | null>(eb.val(null), "text").as("email"), "x.lastAt"])
    .where("x.shop", "in", list(shops))
    .where("x.visitorId", "in", list(visitorIds))
    .where("x.variant", "<>", "control")
    .where("x.lastAt", ">=", since);
  const byContact = k
    .selectFrom("Contact as c")
    .innerJoin("Exposure as x", (j) => j.onRef("x.shop", "=", "c.shop").onRef("x.visitorId", "=", "c.visitorId"))
    .select(["x.shop", "x.visitorId", "c.email", "x.lastAt"])
    .where("c.shop", "in", list(shops))
    .where("c.email", "in", list(emails))
    .where("x.variant", "<>", "control")
    .where("x.lastAt", ">=", since);
  return run(db, byVisitor.unionAll(byContact));
}

/** What identifies a run's purchase: see `ordersFor`. */
export interface OrderKeys {
  shops: string[];
  checkoutTokens: string[];
  cartTokens: string[];
  emails: string[];
  customerIds: string[];
  since: Date;
}

/** Orders of these checkouts or carts, or by these shoppers since `since`, in one statement. */
export async function ordersFor(db: DbOrTx, keys: OrderKeys) {
  return run(
    db,
    q(db)
      .selectFrom("Order")
      .select(["shop", "checkoutToken", "cartToken", "email", "customerId", "orderedAt"])
      .where("shop", "in", list(keys.shops))
      .where((eb) =>
        eb.or([
          eb("checkoutToken", "in", list(keys.checkoutTokens)),
          eb("cartToken", "in", list(keys.cartTokens)),
          eb.and([eb("email", "in", list(keys.emails)), eb("orderedAt", ">=", keys.since)]),
          eb.and([eb("customerId", "in", list(keys.customerIds)), eb("orderedAt", ">=", keys.since)]),
        ]),
      ),
  );
}

/** A recovery email about to be sent, as the claim stores it. */
export interface SendClaim {
  id: string;
  shop: string;
  idempotencyKey: string;
  flowId: string;
  flowRunId: string;
  stepId: string;
  email: string;
  subject: string;
  html: string;
  text: string;
  discountCode: string | null;
  /** the A/B arm (variant id) whose email this is; null when the step runs no test for this run */
  arm: string | null;
}

/**
 * pending → sending, in one statement for up to a chunk of claims: a new row is inserted as
 * "sending"; a row left "pending" by an earlier temporary failure is taken over only if it is the
 * row the email was rendered for (same id, so its links are right). Returns the ids claimed.
 */
export async function claimSends(db: DbOrTx, claims: SendClaim[], now: Date): Promise<string[]> {
  if (claims.length === 0) return [];
  const rows = await run(
    db,
    q(db)
      .insertInto("Message")
      .values(claims.map((c) => ({ ...c, status: "sending", attempts: 1, sentAt: now, createdAt: now, updatedAt: now })))
      .onConflict((oc) =>
        oc
          .column("idempotencyKey")
          .doUpdateSet((eb) => ({
            status: "sending",
            reason: null,
            subject: eb.ref("excluded.subject"),
            html: eb.ref("excluded.html"),
            text: eb.ref("excluded.text"),
            discountCode: eb.ref("excluded.discountCode"),
            arm: eb.ref("excluded.arm"),
            attempts: eb("Message.attempts", "+", 1),
            sentAt: eb.ref("excluded.sentAt"),
            updatedAt: eb.ref("excluded.updatedAt"),
          }))
          .where("Message.status", "=", "pending")
          .whereRef("Message.id", "=", "excluded.id"),
      )
      .returning("id"),
  );
  return rows.map((r) => r.id);
}

/** sending → sent with each message's transport id, in one statement. */
export async function markSent(db: DbOrTx, sent: Array<{ id: string; transportId: string }>, now: Date): Promise<void> {
  if (sent.length === 0) return;
  const [first, ...rest] = sent;
  await run(
    db,
    q(db)
      .updateTable("Message")
      .set((eb) => ({
        status: "sent",
        transportId: rest.reduce((c, m) => c.when(m.id).then(m.transportId), eb.case("id").when(first.id).then(first.transportId)).end(),
        updatedAt: now,
      }))
      .where("status", "=", "sending")
      .where(
        "id",
        "in",
        sent.map((m) => m.id),
      ),
  );
}

/** A run's arm of a step under an A/B test, written when the step is scheduled (the unit of a flow-step test). */
export interface StepExposureRow {
  shop: string;
  flowId: string;
  stepId: string;
  runId: string;
  arm: string;
  at: Date;
}

/**
 * Records the arms a run was scheduled in, in one statement; a run's step keeps its first arm
 * (a repeat, e.g. a retried job, changes nothing).
 */
export async function recordStepExposures(db: DbOrTx, exposures: StepExposureRow[]): Promise<void> {
  if (exposures.length === 0) return;
  await run(
    db,
    q(db)
      .insertInto("StepExposure")
      .values(exposures)
      .onConflict((oc) => oc.columns(["runId", "stepId"]).doNothing()),
  );
}

/** The arms these runs were scheduled in, for their steps (by the step id the job was scheduled with). */
export async function stepExposuresOf(db: DbOrTx, runIds: string[], stepIds: string[]) {
  if (runIds.length === 0) return [];
  return run(
    db,
    q(db)
      .selectFrom("StepExposure")
      .select(["runId", "stepId", "arm"])
      .where("runId", "in", list(unique(runIds)))
      .where("stepId", "in", list(unique(stepIds))),
  );
}
