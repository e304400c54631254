// Global setup: nothing yet; browser tests start their own server.
export default function setup() {}
