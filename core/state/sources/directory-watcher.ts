// Change notifications for a directory tree, as a port: the local state
// source reloads on them, tests trigger them by hand. The real one is
// fs.watch, recursive (Linux since Node 20, macOS, Windows); where recursion
// is unavailable it watches the top directory only and says so.
import { watch } from "node:fs";
import type { FSWatcher } from "node:fs";

export interface DirectoryWatch {
  /** False when only the top directory is watched (recursion unavailable on this platform). */
  recursive: boolean;
  close(): void;
}

export interface DirectoryWatchEvents {
  /** Something under the directory changed; `path` is relative to it when the platform says which. */
  onChange(path: string | undefined): void;
  /** The watch broke (the directory was removed, too many watches); it delivers nothing more. */
  onError(error: Error): void;
}

export type DirectoryWatcher = (directory: string, events: DirectoryWatchEvents) => DirectoryWatch;

/**
 * fs.watch on the whole tree.
 * @throws the fs error when the directory cannot be watched (missing, unreadable)
 */
export const fsDirectoryWatcher: DirectoryWatcher = (directory, events) => {
  const listener = (_event: string, filename: string | Buffer | null): void => events.onChange(filename === null ? undefined : String(filename));
  let watcher: FSWatcher;
  let recursive = true;
  try {
    watcher = watch(directory, { recursive: true, persistent: true }, listener);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM") throw error;
    watcher = watch(directory, { persistent: true }, listener);
    recursive = false;
  }
  watcher.on("error", (error) => events.onError(error));
  return { recursive, close: () => watcher.close() };
};
