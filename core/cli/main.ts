// The hostgate command line, as a framework: a table of commands, help, and
// the rule that every failure the user can cause ends in a clear message and
// exit code 2, never a stack trace; anything else is a bug, which still
// prints one line and exits 70 (EX_SOFTWARE) rather than a stack.
//
// The commands of core (check, test) are defined here; the webhook and the
// reconciler bring their own, and bin/cli.ts assembles the full table, so
// nothing below webhook/ or reconciler/ imports them.
//
// A command may be lazy: only its summary is in the table, and its module is
// imported when it runs or its help is asked for. `hostgate serve` is a
// long-lived process whose resident memory is a target (issue 11): the
// modules of check, test and render (the reconciler's renderers, Istio's
// schemas, the suite runner) would stay loaded in it for nothing.
import { isReportable } from "../errors.ts";
import type { CommandResult } from "../errors.ts";

export interface Command {
  /** One line for the command list. */
  summary: string;
  usage: string;
  /** Long-running commands (serve) print as they go and resolve when they stop. */
  run(args: readonly string[]): Promise<CommandResult> | CommandResult;
}

/** A command whose module is imported on first use; `summary` must be the loaded command's (a test holds them equal). */
export interface LazyCommand {
  summary: string;
  load(): Promise<Command>;
}

export type CommandTable = Readonly<Record<string, Command | LazyCommand>>;

/** The command itself, importing its module if it is lazy. */
export async function loadCommand(entry: Command | LazyCommand): Promise<Command> {
  return "load" in entry ? entry.load() : entry;
}

export const CORE_COMMANDS: CommandTable = {
  check: {
    summary: "what `kubectl apply` would answer for objects, offline",
    load: async () => {
      const { runCheck, CHECK_USAGE } = await import("./check.ts");
      return { summary: CORE_COMMANDS.check!.summary, usage: CHECK_USAGE, run: runCheck };
    },
  },
  test: {
    summary: "run policy test suites (*.test.yaml)",
    load: async () => {
      const { runTest, TEST_USAGE } = await import("./test-command.ts");
      return { summary: CORE_COMMANDS.test!.summary, usage: TEST_USAGE, run: runTest };
    },
  },
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
    return { stdout: `${topic !== undefined ? (await loadCommand(commands[topic]!)).usage : USAGE}\n`, stderr: "", exitCode: command === undefined ? 2 : 0 };
  }
  const listed = commands[command];
  if (listed === undefined) return { stdout: "", stderr: `hostgate: unknown command "${command}"\n\n${USAGE}\n`, exitCode: 2 };
  const entry = await loadCommand(listed);
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
    return {
      stdout: "",
      stderr: `hostgate ${command}: internal error: ${message}\nThis is a bug in hostgate; please report it with the command you ran.\n`,
      exitCode: 70,
    };
  }
}

/** Runs the CLI on this process's arguments and sets its exit code. */
export async function runCli(commands: CommandTable = CORE_COMMANDS): Promise<void> {
  const result = await main(process.argv.slice(2), commands);
  if (result.stdout) process.stdout.write(result.stdout);
  if (result.stderr) process.stderr.write(result.stderr);
  process.exitCode = result.exitCode;
}
