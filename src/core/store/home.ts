import os from 'node:os';
import path from 'node:path';

/**
 * The workstation home holds every case: `<home>/cases/<case-id>/`. Resolution order: an explicit
 * `--home`, then PROBITY_HOME, then the operating system's per-user application-data folder.
 */
export function resolveHome(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return path.resolve(explicit);
  if (env.PROBITY_HOME) return path.resolve(env.PROBITY_HOME);
  return defaultAppDataDir(process.platform, env);
}

export function defaultAppDataDir(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string {
  const home = env.HOME ?? os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Probity');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Probity');
  return path.join(env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), 'probity');
}
