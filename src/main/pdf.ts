/**
 * report.pdf in the desktop app: report.html printed by Electron's own Chromium (printToPDF) in a
 * hidden window that runs no script, loads only the file, and lives in its own in-memory session.
 */
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { BrowserWindow } from 'electron';

export async function printReportPdf(htmlFile: string, pdfFile: string): Promise<void> {
  const url = pathToFileURL(htmlFile).href;
  const win = new BrowserWindow({
    show: false,
    webPreferences: {
      sandbox: true,
      contextIsolation: true,
      javascript: false,
      partition: 'probity-report-print',
    },
  });
  try {
    // The report is self-contained: anything but the file itself is refused.
    win.webContents.session.webRequest.onBeforeRequest((details, done) =>
      done({ cancel: details.url !== url }),
    );
    win.webContents.on('will-navigate', (e) => e.preventDefault());
    await win.loadURL(url);
    const pdf = await win.webContents.printToPDF({ printBackground: true, pageSize: 'A4' });
    fs.writeFileSync(pdfFile, pdf);
  } finally {
    win.destroy();
  }
}
