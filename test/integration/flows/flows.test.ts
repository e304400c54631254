import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../../support/db";
import { adminRequest, seedSession } from "../../support/shopify";
import { flowTemplates, type FlowInputDraft } from "~/domain/recovery";
import { createFlowFromTemplate, getFlow, listFlows } from "~/models/flow.server";

const A = "shop-a.myshopify.com";
const B = "shop-b.myshopify.com";

let t: TestDb;
let editor: typeof import("~/routes/app.flows.$id");
let list: typeof import("~/routes/app.flows._index");
let flowA: string;
let flowB: string;

beforeAll(async () => {
  t = await createTestDb();
  process.env.DATABASE_URL = t.url;
  delete process.env.SMTP_URL; // no mail server: test sends land in the outbox
  await seedSession(t.db, A);
  await seedSession(t.db, B);
  await t.db.shop.create({ data: { shop: A, senderName: "Shop A", senderEmail: "hello@shop-a.example" } });
  await t.db.shop.create({ data: { shop: B } });
  flowA = (await createFlowFromTemplate(t.db, A, "checkout")).id;
  flowB = (await createFlowFromTemplate(t.db, B, "checkout")).id;
  editor = await import("~/routes/app.flows.$id");
  list = await import("~/routes/app.flows._index");
});
afterAll(async () => {
  await t?.cleanup();
});

type Form = Record<string, string>;
const post = (path: string, shop: string, form: Form) => adminRequest(path, { shop, method: "POST", form });
const editorAction = (shop: string, id: string, form: Form) =>
  editor.action({ request: post(`/app/flows/${id}`, shop, form), params: { id }, context: {} }) as Promise<Response>;
const listAction = (shop: string, form: Form) => list.action({ request: post("/app/flows", shop, form), params: {}, context: {} }) as Promise<Response>;
const editorLoader = (shop: string, id: string) => editor.loader({ request: adminRequest(`/app/flows/${id}`, { shop }), params: { id }, context: {} });

function validFlow(overrides: Partial<FlowInputDraft> = {}): FlowInputDraft {
  return { ...flowTemplates.checkout, name: "Edited flow", ...overrides };
}

describe(`recovery flows (${process.env.TEST_DATABASE_URL ? "postgres" : "sqlite"})`, () => {
  describe("shop isolation: another shop's flow id is a 404", () => {
    it("for reading", async () => {
      await expect(editorLoader(A, flowB)).rejects.toMatchObject({ status: 404 });
      await expect(editorLoader(A, "does-not-exist")).rejects.toMatchObject({ status: 404 });
    });

    it("for updating", async () => {
      const res = await editorAction(A, flowB, { intent: "save", flow: JSON.stringify(validFlow({ name: "Hijacked" })) });
      expect(res.status).toBe(404);
      // Even an invalid body gets the 404, not a list of field errors about someone else's flow.
      const invalid = await editorAction(A, flowB, { intent: "save", flow: JSON.stringify({ name: "" }) });
      expect(invalid.status).toBe(404);
      expect((await getFlow(t.db, B, flowB))?.name).toBe("Checkout recovery");
    });

    it("for deleting", async () => {
      expect((await editorAction(A, flowB, { intent: "delete" })).status).toBe(404);
      expect((await listAction(A, { intent: "delete", id: flowB })).status).toBe(404);
      expect(await getFlow(t.db, B, flowB)).not.toBeNull();
    });

    it("for switching on and off", async () => {
      const res = await listAction(A, { intent: "toggle", id: flowB, enabled: "true" });
      expect(res.status).toBe(404);
      expect((await editorAction(A, flowB, { intent: "toggle", enabled: "true" })).status).toBe(404);
      expect((await getFlow(t.db, B, flowB))?.enabled).toBe(false);
    });

    it("for duplicating, previewing and test sends", async () => {
      expect((await listAction(A, { intent: "duplicate", id: flowB })).status).toBe(404);
      const step = JSON.stringify(flowTemplates.checkout.steps[0]);
      expect((await editorAction(A, flowB, { intent: "preview", step })).status).toBe(404);
      expect((await editorAction(A, flowB, { intent: "test-email", step, to: "me@shop-a.example" })).status).toBe(404);
      expect(await t.db.message.count({ where: { flowId: flowB } })).toBe(0);
      expect((await listFlows(t.db, B)).map((f) => f.id)).toEqual([flowB]);
    });
  });

  it("loads a flow with its steps and a rendered preview of the first email", async () => {
    const data = await editorLoader(A, flowA);
    expect(data.id).toBe(flowA);
    expect(data.input.steps).toHaveLength(2);
    expect(data.input.steps[1].discountPercent).toBe(10);
    expect(data.preview?.subject).toBe("You left something in your checkout");
    expect(data.preview?.html).toContain("Linen shirt");
    expect(data.smtpConfigured).toBe(false);
  });

  it("answers invalid input with field errors keyed by path, and saves nothing", async () => {
    const bad = validFlow({
      name: "  ",
      audience: "min_value",
      minCartCents: 0,
      holdoutPct: 80,
      steps: [
        { ...flowTemplates.checkout.steps[0], subject: "", delayMinutes: 120 },
        { ...flowTemplates.checkout.steps[1], delayMinutes: 60, discountPercent: undefined, discountExpiryDays: undefined },
      ],
    });
    const res = await editorAction(A, flowA, { intent: "save", flow: JSON.stringify(bad) });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.ok).toBe(false);
    expect(body.errors).toMatchObject({
      name: "Name is required",
      minCartCents: "Set a minimum cart value above 0 for this audience",
      holdoutPct: "Holdout must be between 0% and 50%",
      "steps.0.subject": "Subject is required",
      "steps.1.delayMinutes": expect.stringContaining("must be sent later"),
      "steps.1.body.3.type": expect.stringContaining("discount"),
    });
    expect((await getFlow(t.db, A, flowA))?.name).toBe("Checkout recovery");
  });

  it("rejects a body that is not JSON with a 400", async () => {
    const res = await editorAction(A, flowA, { intent: "save", flow: "{not json" });
    expect(res.status).toBe(400);
    expect((await editorAction(A, flowA, { intent: "explode" })).status).toBe(400);
  });

  it("saves a valid flow and its steps (kept by position, the rest removed)", async () => {
    const before = await getFlow(t.db, A, flowA);
    expect(before?.steps).toHaveLength(2);
    const input = validFlow({
      name: "Edited flow",
      audience: "min_value",
      minCartCents: 2500,
      holdoutPct: 20,
      respectQuiet: false,
      deliverVia: "shopify_flow",
      steps: [
        {
          delayMinutes: 90,
          subject: "Forgot something, {{ first_name }}?",
          preheader: "",
          body: [{ type: "heading", text: "Still yours" }, { type: "button" }],
        },
      ],
    });
    const res = await editorAction(A, flowA, { intent: "save", flow: JSON.stringify(input) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, intent: "save" });

    const after = await getFlow(t.db, A, flowA);
    expect(after).toMatchObject({
      name: "Edited flow",
      audience: "min_value",
      minCartCents: 2500,
      holdoutPct: 20,
      respectQuiet: false,
      deliverVia: "shopify_flow",
    });
    expect(after?.steps).toHaveLength(1);
    expect(after?.steps[0]).toMatchObject({ position: 0, delayMinutes: 90, subject: "Forgot something, {{ first_name }}?", discountPercent: null });
    expect(after?.steps[0].body).toEqual([{ type: "heading", text: "Still yours" }, { type: "button" }]);
    // Steps keep their ids by position (an A/B test's salt, issue 21): email 1 is edited in place,
    // the old email 2 is gone, not orphaned.
    const oldIds = before!.steps.map((s) => s.id);
    expect(after?.steps[0].id).toBe(oldIds[0]);
    expect(await t.db.recoveryStep.count({ where: { id: oldIds[1] } })).toBe(0);
    expect(await t.db.recoveryStep.count({ where: { flowId: flowA } })).toBe(1);
  });

  it("stores a test email in the outbox when no mail server is set up", async () => {
    const step = { ...flowTemplates.checkout.steps[1] };
    const res = await editorAction(A, flowA, { intent: "test-email", stepIndex: "1", step: JSON.stringify(step), to: "owner@shop-a.example" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, intent: "test-email", delivery: "outbox", to: "owner@shop-a.example" });
    const messages = await t.db.message.findMany({ where: { shop: A, kind: "test" } });
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      flowId: flowA,
      email: "owner@shop-a.example",
      status: "sent",
      subject: "[Test] Still thinking it over? Here is 10% off",
    });
    expect(messages[0].transportId).toMatch(/^outbox:/);
    expect(messages[0].html).toContain("SAMPLE-CODE");
    expect(messages[0].text).toContain("Canvas tote");
  });

  it("reports field errors for a test email to a bad address or with an invalid email", async () => {
    const step = JSON.stringify(flowTemplates.checkout.steps[0]);
    const badTo = await editorAction(A, flowA, { intent: "test-email", step, to: "not-an-address" });
    expect(badTo.status).toBe(422);
    expect((await badTo.json()).errors).toEqual({ to: "Enter a valid email address" });
    const badStep = await editorAction(A, flowA, {
      intent: "test-email",
      stepIndex: "1",
      step: JSON.stringify({ ...flowTemplates.checkout.steps[0], subject: "" }),
      to: "owner@shop-a.example",
    });
    expect(badStep.status).toBe(422);
    expect((await badStep.json()).errors).toEqual({ "steps.1.subject": "Subject is required" });
  });

  it("renders a preview of an unsaved email", async () => {
    const res = await editorAction(A, flowA, {
      intent: "preview",
      step: JSON.stringify({ ...flowTemplates.checkout.steps[0], subject: "Hello from {{ shop_name }}" }),
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.preview.subject).toBe("Hello from Shop A");
    expect(body.preview.html).toContain("<!doctype html>");
  });

  it("creates a flow from a template, switched off, and toggles it", async () => {
    const res = await listAction(A, { intent: "create", kind: "cart" });
    expect(res.status).toBe(302);
    const id = res.headers.get("Location")!.split("/").pop()!;
    const created = await getFlow(t.db, A, id);
    expect(created).toMatchObject({ name: "Cart reminder", kind: "cart", enabled: false, audience: "marketing_consented" });

    const on = await listAction(A, { intent: "toggle", id, enabled: "true" });
    expect(await on.json()).toEqual({ ok: true, intent: "toggle", id, enabled: true });
    expect((await getFlow(t.db, A, id))?.enabled).toBe(true);
    expect((await listAction(A, { intent: "create", kind: "nope" })).status).toBe(400);
  });

  it("duplicates and deletes a flow of the shop", async () => {
    const dup = await editorAction(A, flowA, { intent: "duplicate" });
    expect(dup.status).toBe(302);
    // authenticate.admin's redirect: an absolute URL on the app, keeping the request's query.
    const copyId = new URL(dup.headers.get("Location")!).pathname.split("/").pop()!;
    const copy = await getFlow(t.db, A, copyId);
    expect(copy).toMatchObject({ name: "Copy of Edited flow", enabled: false });
    expect(copy?.steps).toHaveLength(1);

    const del = await editorAction(A, copyId, { intent: "delete" });
    expect(del.status).toBe(302);
    expect(new URL(del.headers.get("Location")!).pathname).toBe("/app/flows");
    expect(await getFlow(t.db, A, copyId)).toBeNull();
    expect(await t.db.recoveryStep.count({ where: { flowId: copyId } })).toBe(0);
  });

  it("lists only the shop's flows", async () => {
    const data = await list.loader({ request: adminRequest("/app/flows", { shop: B }), params: {}, context: {} });
    expect(data.flows.map((f) => f.id)).toEqual([flowB]);
    expect(data.templates.map((x) => x.kind)).toEqual(["checkout", "cart", "browse"]);
  });
});
