import type { FlowListItem } from "~/models/flow.server";

/** One flow as the flows list shows it (app.flows._index): the stored summary, dates as strings. */
export type FlowListRow = Omit<FlowListItem, "updatedAt"> & { updatedAt: string };

/** The flows list's action answers (toggle, delete). */
export type FlowListActionResult =
  { ok: true; intent: "toggle"; id: string; enabled: boolean } | { ok: true; intent: "delete"; id: string } | { ok: false; error: string };

export type NotifyFn = (message: string, options?: { isError?: boolean }) => void;
