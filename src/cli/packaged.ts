/**
 * The entry point of the offline install kit (`npm run kit`, scripts/kit.mjs). The kit ships this
 * file bundled as lib/probity.mjs, with the two worker threads bundled beside it, report.css under
 * resources/ and the built UI under renderer/; this tells the core where they are, since nothing is
 * bundled or compiled on the machine the kit is unpacked on.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setParseWorkerUrl } from '../core/audit/parse-lines';
import { setHashWorkerUrl } from '../core/hashing/pool';
import { setReportCssFile } from '../core/report/html';
import { setDefaultRendererDir } from './commands/host';
import { runCli } from './main';

const lib = path.dirname(fileURLToPath(import.meta.url));
const kitRoot = path.dirname(lib);

setHashWorkerUrl(pathToFileURL(path.join(lib, 'hash-worker.mjs')));
setParseWorkerUrl(pathToFileURL(path.join(lib, 'audit-parse-worker.mjs')));
setReportCssFile(path.join(kitRoot, 'resources', 'report.css'));
setDefaultRendererDir(path.join(kitRoot, 'renderer'));

runCli();
