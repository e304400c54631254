import type { LoaderFunctionArgs } from "@remix-run/node";
import { productByHandle, productJson, recommendations } from "~/demo/catalog";
import { demoOnly, json, notFoundPage, productMain, storefrontPage } from "~/demo/storefront.server";

/** Demo storefront: a product page, or `/products/<handle>.js` (the product as JSON, like Shopify's). */
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  demoOnly();
  const raw = params.handle ?? "";
  if (raw.endsWith(".js")) {
    const product = productByHandle(raw.slice(0, -3));
    return product ? json(productJson(product)) : json({ status: 404, message: "Not Found", description: "Product not found" }, 404);
  }
  const product = productByHandle(raw);
  if (!product) return notFoundPage(request);
  const variant = new URL(request.url).searchParams.get("variant");
  return storefrontPage({
    request,
    title: product.title,
    pageType: "product",
    product,
    main: productMain(product, recommendations(product.id, { limit: 4 }), variant),
  });
};
