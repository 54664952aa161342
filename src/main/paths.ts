// Where the lab keeps its files. One folder holds everything (lab.db, data sets, downloads, runs), so a user
// can move, back up or wipe a lab as a unit; LATENT_LAB_HOME points the CLI, the app and tests at another one.
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export const APP_NAME = 'Latent Lab';

/** Electron's default `userData` folder for the app, computed without Electron so the CLI agrees with the app. */
export function defaultUserDataDir(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  const home = homedir();
  if (platform === 'win32') return join(env.APPDATA || join(home, 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', APP_NAME);
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), APP_NAME);
}

/** The lab's folder: $LATENT_LAB_HOME, else the app's user-data folder. Created if missing. */
export function labHome(): string {
  const dir = process.env.LATENT_LAB_HOME ? resolve(process.env.LATENT_LAB_HOME) : defaultUserDataDir();
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A subfolder of the lab (created if missing). */
export function labDir(home: string, ...parts: string[]): string {
  const dir = join(home, ...parts);
  mkdirSync(dir, { recursive: true });
  return dir;
}
