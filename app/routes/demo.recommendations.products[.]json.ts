import type { LoaderFunctionArgs } from "@remix-run/node";
import { cartFor } from "~/demo/cart.server";
import { productById, productJson, recommendations, variantById } from "~/demo/catalog";
import { demoOnly, json } from "~/demo/storefront.server";

/**
 * Demo product recommendations: /demo/recommendations/products.json?product_id=&limit=&intent=,
 * like Shopify's (limit 1–10, default 10; intent related or complementary; never what is in the cart).
 */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  demoOnly();
  const params = new URL(request.url).searchParams;
  const productId = params.get("product_id");
  if (!productId) return json({ status: 422, message: "Invalid parameter error", description: "product_id is required" }, 422);
  if (!productById(productId)) return json({ status: 404, message: "Product not found", description: "No product with this id" }, 404);
  const intent = params.get("intent") === "complementary" ? "complementary" : "related";
  const limit = Number(params.get("limit") ?? 10);
  const { cart } = cartFor(request);
  const exclude = cart.lines.flatMap((l) => variantById(l.variantId)?.product.id ?? []);
  const products = recommendations(productId, { intent, limit, exclude });
  return json({ intent, products: products.map(productJson) });
};
