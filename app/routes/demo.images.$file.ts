import type { LoaderFunctionArgs } from "@remix-run/node";
import { productByHandle, productSvg } from "~/demo/catalog";
import { demoOnly } from "~/demo/storefront.server";

/** Demo storefront: product images (`/demo/images/<handle>.svg`), what Shopify's CDN would serve. */
export const loader = async ({ params }: LoaderFunctionArgs) => {
  demoOnly();
  const product = productByHandle((params.file ?? "").replace(/\.svg$/, ""));
  if (!product || !params.file?.endsWith(".svg")) return new Response("Not Found", { status: 404 });
  return new Response(productSvg(product), {
    headers: { "Content-Type": "image/svg+xml", "Cache-Control": "public, max-age=86400, immutable" },
  });
};
