/** Just enough MIME to read what nodemailer sends: headers, multipart/alternative, QP and base64 bodies. */
export interface MimePart {
  headers: Map<string, string>;
  body: string;
  parts: MimePart[];
}

export function parseMime(raw: string): MimePart {
  const split = raw.search(/\r?\n\r?\n/);
  const head = split === -1 ? raw : raw.slice(0, split);
  const rest = split === -1 ? "" : raw.slice(split).replace(/^\r?\n\r?\n/, "");
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, " ").split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const type = headers.get("content-type") ?? "text/plain";
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (type.toLowerCase().startsWith("multipart/") && boundary) {
    const sections = rest.split(`--${boundary}`).slice(1);
    const parts = sections.filter((s) => !s.startsWith("--")).map((s) => parseMime(s.replace(/^\r?\n/, "")));
    return { headers, body: "", parts };
  }
  return { headers, body: decodeBody(rest, headers.get("content-transfer-encoding")), parts: [] };
}

function decodeBody(body: string, encoding = "7bit"): string {
  switch (encoding.toLowerCase()) {
    case "quoted-printable": {
      const escaped = body
        .replace(/=\r?\n/g, "")
        .replace(/%/g, "%25")
        .replace(/=([0-9A-F]{2})/gi, "%$1");
      return decodeURIComponent(escaped);
    }
    case "base64":
      return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
    default:
      return body;
  }
}

export function findPart(part: MimePart, contentType: string): MimePart | undefined {
  if ((part.headers.get("content-type") ?? "").toLowerCase().startsWith(contentType)) return part;
  for (const child of part.parts) {
    const found = findPart(child, contentType);
    if (found) return found;
  }
  return undefined;
}
