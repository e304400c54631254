export const DEMO_SHOP = "demo-shop.myshopify.com";
export const DEMO_HOST = "YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvZGVtby1zaG9w"; // base64url("admin.shopify.com/store/demo-shop");
