// Test environment: fixed credentials so tests can sign webhooks, proxy requests and session tokens.
process.env.NODE_ENV = "test";
process.env.SHOPIFY_API_KEY ??= "test-api-key";
process.env.SHOPIFY_API_SECRET ??= "test-api-secret-with-enough-bytes";
process.env.SHOPIFY_APP_URL ??= "http://localhost:3000";
process.env.DATABASE_URL ??= "file:./prisma/test-unused.sqlite";
process.env.LOG_LEVEL ??= "error";
