import { isRouteErrorResponse, useRouteError } from "@remix-run/react";
import { Card, EmptyState, Page, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";

// A small inline illustration: the admin works offline, so no CDN image.
export const NOT_FOUND_IMAGE =
  "data:image/svg+xml," +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" width="226" height="226" viewBox="0 0 226 226"><circle cx="96" cy="96" r="60" fill="none" stroke="#8a8a8a" stroke-width="12"/><path d="M140 140l52 52" stroke="#8a8a8a" stroke-width="16" stroke-linecap="round"/><text x="96" y="112" font-family="sans-serif" font-size="44" font-weight="700" text-anchor="middle" fill="#616161">?</text></svg>',
  );

/** Empty lists: a stack of cards. */
export const EMPTY_LIST_IMAGE =
  "data:image/svg+xml," +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" width="226" height="226" viewBox="0 0 226 226"><rect x="38" y="60" width="150" height="36" rx="8" fill="#e3e3e3"/><rect x="38" y="106" width="150" height="36" rx="8" fill="#d4d4d4"/><rect x="38" y="152" width="150" height="36" rx="8" fill="#b5b5b5"/><circle cx="170" cy="56" r="22" fill="#303030"/><path d="M170 46v20M160 56h20" stroke="#fff" stroke-width="4" stroke-linecap="round"/></svg>',
  );

/**
 * The admin routes' error boundary: a thrown 404 (unknown id, or another shop's id) renders a
 * Polaris "not found" page; responses thrown by authenticate.admin (bounce / exit-iframe HTML)
 * render as the library expects; anything else is a Polaris error page.
 */
export function AdminErrorBoundary({
  resource = "page",
  backUrl = "/app",
  backLabel = "Go to home",
}: {
  resource?: string;
  backUrl?: string;
  backLabel?: string;
}) {
  const error = useRouteError();
  if (isRouteErrorResponse(error) && error.status === 404) {
    return (
      <Page>
        <TitleBar title={`${capitalize(resource)} not found`} />
        <Card>
          <EmptyState heading={`This ${resource} could not be found`} action={{ content: backLabel, url: backUrl }} image={NOT_FOUND_IMAGE}>
            <p>It may have been deleted, or the link is wrong.</p>
          </EmptyState>
        </Card>
      </Page>
    );
  }
  if (isRouteErrorResponse(error) && error.status < 500 && typeof error.data === "string" && error.data.includes("<")) {
    // authenticate.admin's App Bridge bounce / exit-iframe pages (what boundary.error renders).
    return <div dangerouslySetInnerHTML={{ __html: error.data }} />;
  }
  const message = isRouteErrorResponse(error) ? `${error.status} ${error.statusText}` : error instanceof Error ? error.message : "Unknown error";
  return (
    <Page>
      <TitleBar title="Something went wrong" />
      <Card>
        <EmptyState heading="Something went wrong" action={{ content: "Reload", url: backUrl }} image={NOT_FOUND_IMAGE}>
          <Text as="p" tone="subdued">
            {message}
          </Text>
        </EmptyState>
      </Card>
    </Page>
  );
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
