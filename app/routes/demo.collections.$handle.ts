import type { LoaderFunctionArgs } from "@remix-run/node";
import { collectionByHandle, productsIn } from "~/demo/catalog";
import { collectionMain, demoOnly, notFoundPage, storefrontPage } from "~/demo/storefront.server";

/** Demo storefront: a collection page (`/demo/collections/all` lists everything). */
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  demoOnly();
  const collection = collectionByHandle(params.handle ?? "");
  if (!collection) return notFoundPage(request);
  return storefrontPage({
    request,
    title: collection.title,
    pageType: "collection",
    main: collectionMain(collection, productsIn(collection.handle)),
  });
};
