// What a Lua test runs, and the interface both interpreters offer for it.
// A program is a set of source files run as a script: the interpreter writes
// the files into a fresh directory, runs `main` there with `args` as arg[1..],
// feeds `stdin`, and hands back every byte the program wrote to stdout.

export interface LuaProgram {
  /** Source files by plain file name (no directories), written before the run. */
  readonly files: Readonly<Record<string, string>>;
  /** The file run as the script (arg[0]). */
  readonly main: string;
  /** arg[1..], and the script's `...`. */
  readonly args?: readonly string[];
  readonly stdin?: string;
  /** Variables os.getenv sees (LuaJIT also sees the test process's own). */
  readonly env?: Readonly<Record<string, string>>;
}

export type LuaKind = "luajit" | "wasmoon";

export interface LuaInterpreter {
  readonly kind: LuaKind;
  /** What ran, for the test output: "LuaJIT 2.1.0-beta3", "Lua 5.4 (wasmoon 1.16.0, WebAssembly)". */
  readonly name: string;
  /** Why this interpreter was chosen. */
  readonly reason: string;
  /** Runs the program and returns its stdout; a Lua error throws, with the interpreter's message. */
  run(program: LuaProgram): Buffer;
}

const PLAIN_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Refuses names that could leave the run's directory or differ between interpreters. */
export function checkProgram(program: LuaProgram): void {
  for (const name of Object.keys(program.files)) {
    if (!PLAIN_FILE_NAME.test(name)) throw new Error(`Lua program file name ${JSON.stringify(name)} must be a plain file name matching ${PLAIN_FILE_NAME}`);
  }
  if (!Object.hasOwn(program.files, program.main))
    throw new Error(`Lua program main ${JSON.stringify(program.main)} is not one of its files (${Object.keys(program.files).join(", ")})`);
}
