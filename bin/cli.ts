// The composition root of the `hostgate` command: core's commands plus the
// ones the webhook and the reconciler bring (serve also gets the self-service page's factory). This is the only place that
// knows all of them, so no room below imports webhook/ or reconciler/.
import { realpathSync } from "node:fs";
import { CORE_COMMANDS, main as runMain, runCli as run } from "../core/cli/main.ts";
import type { CommandTable, LazyCommand } from "../core/cli/main.ts";
import { realServeCommand } from "../webhook/serve-command.ts";
import type { ReconcilerFactory } from "../core/cli/serve-component.ts";
import type { PortalFactory } from "../webhook/serve-portal-part.ts";
import { stripCommentsOfPackages } from "../core/cli/comment-stripping.ts";

// Before anything imports @kubernetes/client-node (only dynamic imports do):
// its comments would otherwise stay resident, about 9.5 MB (core/cli/comment-stripping.ts).
stripCommentsOfPackages();

/** Imported on first use: local mode (`npm start`) never loads the reconciler or the Kubernetes client. */
const startReconciler: ReconcilerFactory = async (connection, settings, logger) =>
  (await import("../reconciler/manager/cluster-reconciler.ts")).startClusterReconciler(connection, settings, logger);

/** Imported on first use (`--portal-listen`): the page, its backends and, in cluster mode, the Kubernetes client. */
const startPortal: PortalFactory = async (target, settings, logger) => (await import("./portal-factory.ts")).portalFactory()(target, settings, logger);

/**
 * Imported on first use: the renderers and Istio's schemas cost `serve` about 2 MB of heap and 7 MB of
 * resident memory for as long as it runs (issue 11). The summary is RENDER_COMMAND's (a test holds them equal).
 */
const LAZY_RENDER: LazyCommand = {
  summary: "print what the reconciler would apply for DomainRoutes, offline",
  load: async () => (await import("../reconciler/render-command/render-command.ts")).RENDER_COMMAND,
};

/** Imported on first use, like render. The summary is IAM_POLICY_COMMAND's (a test holds them equal). */
const LAZY_IAM_POLICY: LazyCommand = {
  summary: "print the reconciler's least-privilege AWS IAM policy for a platform config",
  load: async () => (await import("../reconciler/aws-iam/iam-policy-command.ts")).IAM_POLICY_COMMAND,
};

/** Imported on first use, like render. The summaries are AUDIT_COMMAND's and DIFF_COMMAND's (a test holds them equal). */
const LAZY_AUDIT: LazyCommand = {
  summary: "judge the objects already in the cluster under the policies, offline",
  load: async () => (await import("../core/cli/audit-command.ts")).AUDIT_COMMAND,
};
const LAZY_DIFF: LazyCommand = {
  summary: "what a policy change would deny or allow among existing objects, offline",
  load: async () => (await import("../core/cli/diff-command.ts")).DIFF_COMMAND,
};

export const COMMANDS: CommandTable = {
  ...CORE_COMMANDS,
  audit: LAZY_AUDIT,
  diff: LAZY_DIFF,
  render: LAZY_RENDER,
  "iam-policy": LAZY_IAM_POLICY,
  serve: realServeCommand(startReconciler, startPortal),
};

/** `hostgate ARGS...` in this process, with output returned (for tests). */
export function main(argv: readonly string[]): ReturnType<typeof runMain> {
  return runMain(argv, COMMANDS);
}

export function runCli(): Promise<void> {
  return run(COMMANDS);
}

// Executed directly (`node bin/cli.ts ...`, as npm scripts do); the
// bin/hostgate.mjs launcher imports this module and calls runCli itself.
if (process.argv[1] !== undefined && import.meta.filename === realpathSync(process.argv[1])) await runCli();
