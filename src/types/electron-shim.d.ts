// Electron is an optional dependency that cannot be installed here (its binary downloads from GitHub), so
// its typings may be missing. This declares the little of its API the main process and preload use.
declare module 'electron' {
  /* eslint-disable @typescript-eslint/no-explicit-any */
  export const app: any;
  export const BrowserWindow: any;
  export type BrowserWindow = any;
  export const dialog: any;
  export const ipcMain: any;
  export const ipcRenderer: any;
  export const Menu: any;
  export const session: any;
  export const shell: any;
  export const contextBridge: any;
  export const webUtils: any;
}
