/**
 * Preloaded (`node --import …/child-watchdog.ts`) into the app and worker processes tests
 * start: the child exits on its own when the test process (INTENTFUL_PARENT_PID) is gone, so a
 * crashed or killed test run never leaves servers or workers polling the database.
 */
const parentPid = Number(process.env.INTENTFUL_PARENT_PID);
if (Number.isInteger(parentPid) && parentPid > 0) {
  setInterval(() => {
    try {
      process.kill(parentPid, 0);
    } catch {
      process.exit(0);
    }
  }, 1000).unref();
}

export {};
