import { useFetcher, useRouteLoaderData } from "@remix-run/react";
import { Banner, Text } from "@shopify/polaris";

interface AppLoaderData {
  publishError: string | null;
}

/**
 * Shown on every admin page while the last publish to the storefront failed (Shop.publishError).
 * A job retries on its own; "Retry now" republishes at once (the settings route's action).
 */
export function PublishBanner() {
  const data = useRouteLoaderData("routes/app") as AppLoaderData | undefined;
  const fetcher = useFetcher<{ ok: boolean }>();
  if (!data?.publishError) return null;
  const retrying = fetcher.state !== "idle";
  return (
    <Banner
      tone="critical"
      title="Your storefront is not showing your latest changes"
      action={{
        content: "Retry now",
        loading: retrying,
        onAction: () => fetcher.submit({ intent: "publish" }, { method: "post", action: "/app/settings" }),
      }}
    >
      <Text as="p">Publishing your triggers failed: {data.publishError}. Intentful retries automatically; your saved changes are kept.</Text>
    </Banner>
  );
}
