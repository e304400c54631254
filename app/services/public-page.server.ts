/**
 * The small HTML pages a shopper reaches from an email link (unsubscribe, double opt-in
 * confirmation): no app shell, never cached, no referrer leaking the signed token.
 */
export function publicPage(title: string, body: string, status = 200): Response {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#202223}button{font:inherit;padding:.6rem 1.2rem;border-radius:.5rem;border:0;background:#303030;color:#fff;cursor:pointer}</style></head>
<body><main><h1>${title}</h1>${body}</main></body></html>`;
  return new Response(html, { status, headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store", "Referrer-Policy": "no-referrer" } });
}
