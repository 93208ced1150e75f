/**
 * Electron main process: one window, locked down (see security.ts), the contract bound to IPC
 * (ipc.ts), and the same core service the browser-mode host uses. Hashing runs on worker threads
 * inside this process (the bundled hash-worker), so the window stays responsive during a
 * multi-GB ingest.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, session } from 'electron';
import { ProbityService } from '../core/api/service';
import { setParseWorkerUrl } from '../core/audit/parse-lines';
import { setHashWorkerUrl } from '../core/hashing/pool';
import { setReportCssFile } from '../core/report/html';
import { resolveHome } from '../core/store/home';
import fs from 'node:fs';
import { setSqliteNativeBinding, Workstation } from '../core/store/workstation';
import { openDemoIncident } from '../demo/open-demo';
import { bindIpc } from './ipc';
import { printReportPdf } from './pdf';
import { isLocalUrl, lockDownContents, lockDownSession } from './security';

const here = path.dirname(fileURLToPath(import.meta.url));
const devServer = process.env.ELECTRON_RENDERER_URL ?? null;
const log = (line: string) => process.stderr.write(`probity: ${line}\n`);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  // Packaged, the workers are unpacked beside app.asar (electron-builder.yml's asarUnpack).
  const workerDir = app.isPackaged ? here.replace(/app\.asar(?=[\\/]|$)/, 'app.asar.unpacked') : here;
  setHashWorkerUrl(pathToFileURL(path.join(workerDir, 'hash-worker.js')));
  setParseWorkerUrl(pathToFileURL(path.join(workerDir, 'audit-parse-worker.js')));
  // report.css: beside the app's resources when packaged (electron-builder.yml), else the checkout's resources/.
  setReportCssFile(
    app.isPackaged
      ? path.join(process.resourcesPath, 'report.css')
      : path.join(here, '../../resources/report.css'),
  );
  // better-sqlite3 rebuilt for Electron's ABI by `npm start` (scripts/start.mjs), beside the Node build.
  const electronSqlite = path.join(here, '../../node_modules/.probity-electron/better_sqlite3.node');
  if (fs.existsSync(electronSqlite)) setSqliteNativeBinding(electronSqlite);
  let win: BrowserWindow | null = null;

  app.on('second-instance', () => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });

  app.on('web-contents-created', (_e, contents) => lockDownContents(contents, devServer, log));

  app.whenReady().then(() => {
    lockDownSession(session.defaultSession, devServer, log);
    // The same home as the CLI: --home is not available here, so PROBITY_HOME, else the OS app-data folder.
    const workstation = new Workstation(resolveHome());
    const service = new ProbityService({
      workstation,
      actor: Workstation.defaultActor(),
      host: os.hostname(),
      mode: 'desktop',
      version: app.getVersion(),
      printPdf: printReportPdf,
      openDemo: openDemoIncident,
      pickBundle: async (kind) => {
        const r = await dialog.showOpenDialog({
          title: kind === 'folder' ? 'Choose the evidence folder' : 'Choose the evidence archive',
          properties: kind === 'folder' ? ['openDirectory'] : ['openFile'],
          filters:
            kind === 'file'
              ? [
                  { name: 'Evidence bundles', extensions: ['tar', 'gz', 'tgz', 'zip'] },
                  { name: 'All files', extensions: ['*'] },
                ]
              : [],
        });
        return r.canceled ? null : (r.filePaths[0] ?? null);
      },
    });
    const isAppUrl = (url: string) =>
      devServer ? isLocalUrl(url, devServer) && url.startsWith(devServer) : url.startsWith('file:');
    const unbind = bindIpc(ipcMain, service, isAppUrl, (channel, e) => win?.webContents.send(channel, e));

    win = new BrowserWindow({
      width: 1400,
      height: 900,
      minWidth: 1024,
      minHeight: 680,
      title: 'Probity',
      backgroundColor: '#111418',
      show: false,
      webPreferences: {
        preload: path.join(here, '../preload/index.cjs'),
        sandbox: true,
        contextIsolation: true,
        nodeIntegration: false,
        webviewTag: false,
        spellcheck: false,
      },
    });
    win.once('ready-to-show', () => win?.show());
    if (devServer) void win.loadURL(devServer);
    else void win.loadFile(path.join(here, '../renderer/index.html'));

    app.on('before-quit', () => {
      service.cancelAll();
      unbind();
    });
  });

  app.on('window-all-closed', () => app.quit());
}
