// Electron main: one window, the menu, and an IPC handler per channel of the contract, all dispatched to
// the same handler table the serve host uses. Training runs in worker threads (see api/training-host.ts).
import { app, BrowserWindow, dialog, ipcMain, Menu, session, shell } from 'electron';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CHANNELS, type ApiEvents, type EventName } from '../shared/api.ts';
import { createHandlers, dispatch } from './api/handlers.ts';
import { CONTENT_SECURITY_POLICY } from './csp.ts';
import { labHome } from './paths.ts';
import { closeAnalysis } from './runs/analysis.ts';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
let window: BrowserWindow | null = null;

function emit<E extends EventName>(event: E, payload: ApiEvents[E]): void {
  if (window && !window.isDestroyed()) window.webContents.send(`event:${event}`, payload);
}

const version = (JSON.parse(readFileSync(here('../../package.json'), 'utf8')) as { version: string }).version;
const handlers = createHandlers({ home: labHome(), mode: 'electron', version, emit });

for (const channel of CHANNELS) {
  ipcMain.handle(channel, (e: { senderFrame: unknown }, raw: unknown) => {
    // Only our own page may call: no other frame or origin.
    if (e.senderFrame !== window?.webContents.mainFrame) return { ok: false, error: 'refused: not the app window' };
    return dispatch(handlers, channel, raw);
  });
}

function createWindow(): void {
  window = new BrowserWindow({
    width: 1400, height: 900, minWidth: 1000, minHeight: 680, title: 'Latent Lab', show: false, backgroundColor: '#f6f7f9',
    webPreferences: { preload: here('../preload/index.cjs'), contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, spellcheck: false },
  });
  window.once('ready-to-show', () => window?.show());
  // No navigation away and no new windows: links open in the system browser.
  window.webContents.on('will-navigate', (e: { preventDefault(): void }) => e.preventDefault());
  window.webContents.setWindowOpenHandler(({ url }: { url: string }) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  if (process.env.ELECTRON_RENDERER_URL) void window.loadURL(process.env.ELECTRON_RENDERER_URL);
  else void window.loadFile(here('../renderer/index.html'));
}

function buildMenu(): void {
  const go = (screen: string) => () => window?.webContents.send('event:menu', screen);
  Menu.setApplicationMenu(Menu.buildFromTemplate([
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    { label: 'File', submenu: [
      { label: 'Open Lab Folder', click: () => void shell.openPath(labHome()) },
      { type: 'separator' },
      process.platform === 'darwin' ? { role: 'close' as const } : { role: 'quit' as const },
    ] },
    { role: 'editMenu' },
    { label: 'View', submenu: [
      { label: 'Data sets', accelerator: 'CmdOrCtrl+1', click: go('datasets') },
      { label: 'Architect', accelerator: 'CmdOrCtrl+2', click: go('architect') },
      { label: 'Train', accelerator: 'CmdOrCtrl+3', click: go('train') },
      { label: 'Explore', accelerator: 'CmdOrCtrl+4', click: go('explore') },
      { label: 'Runs', accelerator: 'CmdOrCtrl+5', click: go('runs') },
      { label: 'Export', accelerator: 'CmdOrCtrl+6', click: go('export') },
      { type: 'separator' },
      { role: 'reload' }, { role: 'toggleDevTools' }, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { role: 'togglefullscreen' },
    ] },
    { role: 'windowMenu' },
    { role: 'help', submenu: [{ label: 'About Latent Lab', click: () => void dialog.showMessageBox({ message: `Latent Lab ${version}`, detail: `Lab folder: ${labHome()}` }) }] },
  ]));
}

app.whenReady().then(() => {
  // The CSP as a header too (the page's <meta> says the same): covers anything loaded besides index.html.
  session.defaultSession.webRequest.onHeadersReceived((details: { responseHeaders?: Record<string, string[]> }, callback: (r: { responseHeaders: Record<string, string[]> }) => void) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  session.defaultSession.setPermissionRequestHandler((_wc: unknown, _permission: string, callback: (allow: boolean) => void) => callback(false));
  buildMenu();
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

let quitting = false;
app.on('before-quit', (e: { preventDefault(): void }) => {
  // Closing mid-run: ask the workers to stop after their current step; completed epochs are already saved.
  if (quitting) return;
  quitting = true;
  e.preventDefault();
  void handlers.training.stopAll(5000).finally(() => {
    closeAnalysis();
    app.quit();
  });
});
app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
