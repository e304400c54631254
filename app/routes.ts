import { flatRoutes } from "@remix-run/fs-routes";
import type { RouteConfig } from "@remix-run/route-config";

/**
 * Routes from the file names under app/routes (flat routes: `app.triggers.$id.tsx` is
 * /app/triggers/:id), through Remix's route config as React Router 7 expects it
 * (future flag v3_routeConfig): the later move keeps this file as it is.
 */
export default flatRoutes({ ignoredRouteFiles: ["**/.*"] }) satisfies RouteConfig;
