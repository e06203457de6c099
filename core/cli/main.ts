// The hostgate command line. Every failure the user can cause ends in a clear
// message and exit code 2, never a stack trace; anything else is a bug, which
// still prints one line and exits 70 (EX_SOFTWARE) rather than a stack.
import { realpathSync } from "node:fs";
import { runCheck, CHECK_USAGE } from "./check.ts";
import { runTest, TEST_USAGE } from "./test-command.ts";
import { isReportable } from "../errors.ts";
import type { CommandResult } from "../errors.ts";

const USAGE = `hostgate: self-service domains on Kubernetes, safely.

Usage: hostgate <command> [options]

Commands:
  check    what \`kubectl apply\` would answer for objects, offline
  test     run policy test suites (*.test.yaml)
  help     show help for a command: hostgate help check

Run \`hostgate <command> --help\` for a command's options.`;

const COMMANDS: Record<string, { usage: string; run: (args: readonly string[]) => Promise<CommandResult> | CommandResult }> = {
  check: { usage: CHECK_USAGE, run: runCheck },
  test: { usage: TEST_USAGE, run: runTest },
};

export async function main(argv: readonly string[]): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const [command, ...args] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    const topic = command === "help" ? args[0] : undefined;
    if (topic !== undefined && COMMANDS[topic] === undefined) return { stdout: "", stderr: `hostgate: unknown command "${topic}"\n\n${USAGE}\n`, exitCode: 2 };
    return { stdout: `${topic !== undefined ? COMMANDS[topic]!.usage : USAGE}\n`, stderr: "", exitCode: command === undefined ? 2 : 0 };
  }
  const entry = COMMANDS[command];
  if (entry === undefined) return { stdout: "", stderr: `hostgate: unknown command "${command}"\n\n${USAGE}\n`, exitCode: 2 };
  if (args.includes("--help") || args.includes("-h")) return { stdout: `${entry.usage}\n`, stderr: "", exitCode: 0 };
  try {
    const result = await entry.run(args);
    const notes = result.notes && result.notes.length > 0 ? `${result.notes.join("\n")}\n` : "";
    return { stdout: `${result.output}\n`, stderr: notes, exitCode: result.exitCode };
  } catch (error) {
    if (isReportable(error)) {
      return { stdout: "", stderr: `hostgate ${command}: unusable input:\n${error.problems.map((p) => `  ${p}`).join("\n")}\n`, exitCode: error.exitCode };
    }
    const message = error instanceof Error ? error.message : String(error);
    return { stdout: "", stderr: `hostgate ${command}: internal error: ${message}\nThis is a bug in hostgate; please report it with the command you ran.\n`, exitCode: 70 };
  }
}

/** Runs the CLI on this process's arguments and sets its exit code. */
export async function runCli(): Promise<void> {
  const result = await main(process.argv.slice(2));
  if (result.stdout) process.stdout.write(result.stdout);
  if (result.stderr) process.stderr.write(result.stderr);
  process.exitCode = result.exitCode;
}

// Executed directly (`node core/cli/main.ts ...`, as npm scripts do); the
// bin/hostgate.mjs launcher imports this module and calls runCli itself.
if (process.argv[1] !== undefined && import.meta.filename === realpathSync(process.argv[1])) await runCli();
