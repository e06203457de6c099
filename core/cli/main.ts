// The hostgate command line, as a framework: a table of commands, help, and
// the rule that every failure the user can cause ends in a clear message and
// exit code 2, never a stack trace; anything else is a bug, which still
// prints one line and exits 70 (EX_SOFTWARE) rather than a stack.
//
// The commands of core (check, test) are defined here; the webhook and the
// reconciler bring their own, and bin/cli.ts assembles the full table, so
// nothing below webhook/ or reconciler/ imports them.
import { runCheck, CHECK_USAGE } from "./check.ts";
import { runTest, TEST_USAGE } from "./test-command.ts";
import { isReportable } from "../errors.ts";
import type { CommandResult } from "../errors.ts";

export interface Command {
  /** One line for the command list. */
  summary: string;
  usage: string;
  /** Long-running commands (serve) print as they go and resolve when they stop. */
  run(args: readonly string[]): Promise<CommandResult> | CommandResult;
}

export type CommandTable = Readonly<Record<string, Command>>;

export const CORE_COMMANDS: CommandTable = {
  check: { summary: "what `kubectl apply` would answer for objects, offline", usage: CHECK_USAGE, run: runCheck },
  test: { summary: "run policy test suites (*.test.yaml)", usage: TEST_USAGE, run: runTest },
};

function usage(commands: CommandTable): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length), 4) + 3;
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}${c.summary}`);
  return `hostgate: self-service domains on Kubernetes, safely.

Usage: hostgate <command> [options]

Commands:
${lines.join("\n")}
  ${"help".padEnd(width)}show help for a command: hostgate help check

Run \`hostgate <command> --help\` for a command's options.`;
}

export async function main(argv: readonly string[], commands: CommandTable = CORE_COMMANDS): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const [command, ...args] = argv;
  const USAGE = usage(commands);
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    const topic = command === "help" ? args[0] : undefined;
    if (topic !== undefined && commands[topic] === undefined) return { stdout: "", stderr: `hostgate: unknown command "${topic}"\n\n${USAGE}\n`, exitCode: 2 };
    return { stdout: `${topic !== undefined ? commands[topic]!.usage : USAGE}\n`, stderr: "", exitCode: command === undefined ? 2 : 0 };
  }
  const entry = commands[command];
  if (entry === undefined) return { stdout: "", stderr: `hostgate: unknown command "${command}"\n\n${USAGE}\n`, exitCode: 2 };
  if (args.includes("--help") || args.includes("-h")) return { stdout: `${entry.usage}\n`, stderr: "", exitCode: 0 };
  try {
    const result = await entry.run(args);
    const notes = result.notes && result.notes.length > 0 ? `${result.notes.join("\n")}\n` : "";
    return { stdout: result.output === "" ? "" : `${result.output}\n`, stderr: notes, exitCode: result.exitCode };
  } catch (error) {
    if (isReportable(error)) {
      return { stdout: "", stderr: `hostgate ${command}: unusable input:\n${error.problems.map((p) => `  ${p}`).join("\n")}\n`, exitCode: error.exitCode };
    }
    const message = error instanceof Error ? error.message : String(error);
    return { stdout: "", stderr: `hostgate ${command}: internal error: ${message}\nThis is a bug in hostgate; please report it with the command you ran.\n`, exitCode: 70 };
  }
}

/** Runs the CLI on this process's arguments and sets its exit code. */
export async function runCli(commands: CommandTable = CORE_COMMANDS): Promise<void> {
  const result = await main(process.argv.slice(2), commands);
  if (result.stdout) process.stdout.write(result.stdout);
  if (result.stderr) process.stderr.write(result.stderr);
  process.exitCode = result.exitCode;
}
