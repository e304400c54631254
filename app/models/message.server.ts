import type { Db } from "~/db.server";

/** The shop's email log: every email sent, suppressed or failed, newest first. */
export function listMessages(db: Db, shop: string, { take = 50, status }: { take?: number; status?: string } = {}) {
  return db.message.findMany({
    where: { shop, ...(status ? { status } : {}) },
    orderBy: { createdAt: "desc" },
    take,
    select: { id: true, email: true, kind: true, status: true, reason: true, subject: true, sentAt: true, clickedAt: true, createdAt: true, flowId: true },
  });
}

export function getMessage(db: Db, shop: string, id: string) {
  return db.message.findFirst({
    where: { id, shop },
    select: { id: true, email: true, status: true, reason: true, subject: true, html: true, text: true, sentAt: true, createdAt: true },
  });
}

export function listDataExports(db: Db, shop: string) {
  return db.dataExport.findMany({
    where: { shop },
    orderBy: { createdAt: "desc" },
    take: 50,
    select: { id: true, email: true, customerId: true, createdAt: true },
  });
}

export function getDataExport(db: Db, shop: string, id: string) {
  return db.dataExport.findFirst({ where: { id, shop } });
}
