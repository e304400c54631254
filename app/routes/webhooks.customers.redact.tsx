import type { ActionFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { receiveWebhook } from "~/services/webhooks/intake.server";

export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(db, request);
