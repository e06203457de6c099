#!/usr/bin/env node
// Launcher: plain JavaScript so that any Node can start it. hostgate itself is
// TypeScript run directly by Node >= 24 (type stripping), which the project
// ships as the `node` devDependency; when an older Node starts this file we
// re-exec the CLI under the bundled Node 24 instead of failing on `.ts` syntax.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const entry = join(root, "bin", "cli.ts");
const major = Number(process.versions.node.split(".")[0]);

if (major >= 24) {
  const { runCli } = await import(entry);
  await runCli();
} else {
  const bundled = join(root, "node_modules", "node", "bin", "node");
  if (!existsSync(bundled)) {
    process.stderr.write(
      `hostgate needs Node.js 24 or newer (this is ${process.version}).\n` +
        `Run \`npm ci\` in ${root} to install the bundled Node 24, or put Node 24 on PATH.\n`,
    );
    process.exit(2);
  }
  const result = spawnSync(bundled, [entry, ...process.argv.slice(2)], { stdio: "inherit" });
  process.exit(result.status ?? 1);
}
