/**
 * The bridge: one function per contract method, nothing else. No ipcRenderer, no generic invoke,
 * reaches the page. The object is checked against ProbityApi by the compiler.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { Channel, Envelope, JobEvent, ProbityApi, ResultOf } from '../shared/contract';

const JOB_EVENTS = 'jobs:event';

function call<C extends Channel>(channel: C, args: unknown): Promise<Envelope<ResultOf<C>>> {
  return ipcRenderer.invoke(channel, args) as Promise<Envelope<ResultOf<C>>>;
}

const api = {
  appInfo: () => call('app:info', {}),
  listCases: () => call('cases:list', {}),
  createCase: (args) => call('cases:create', args),
  caseOverview: (args) => call('cases:overview', args),
  listEvidence: (args) => call('evidence:list', args),
  startIngest: (args) => call('ingest:start', args),
  startVerify: (args) => call('verify:start', args),
  cancelJob: (args) => call('jobs:cancel', args),
  custodyLog: (args) => call('custody:log', args),
  openDemo: () => call('demo:open', {}),
  pickBundle: (args) => call('dialog:pickBundle', args),
  runIntegrity: (args) => call('integrity:run', args),
  latestIntegrity: (args) => call('integrity:latest', args),
  diffWeights: (args) => call('integrity:diffWeights', args),
  provenance: (args) => call('integrity:provenance', args),
  inspectArtifact: (args) => call('artifact:inspect', args),
  behaviorRuns: (args) => call('behavior:runs', args),
  importBehaviorRun: (args) => call('behavior:import', args),
  compareBehavior: (args) => call('behavior:compare', args),
  refusalPhrases: () => call('behavior:refusalPhrases', {}),
  behaviorItems: (args) => call('behavior:items', args),
  auditState: (args) => call('audit:state', args),
  importAuditLog: (args) => call('audit:import', args),
  setAuditWindow: (args) => call('audit:window', args),
  planAuditReview: (args) => call('audit:plan', args),
  drawAuditSample: (args) => call('audit:sample', args),
  nextAuditItem: (args) => call('audit:next', args),
  labelAuditItem: (args) => call('audit:label', args),
  auditEstimate: (args) => call('audit:estimate', args),
  exportAuditSample: (args) => call('audit:export', args),
  listCustodians: () => call('custodians:list', {}),
  signCheckpoint: (args) => call('checkpoint:sign', args),
  incidentView: (args) => call('incident:view', args),
  updateIncident: (args) => call('incident:update', args),
  previewReport: (args) => call('report:preview', args),
  exportReport: (args) => call('report:export', args),
  addCustodian: (args) => call('custodians:add', args),
  rotateCustodian: (args) => call('custodians:rotate', args),
  revokeCustodian: (args) => call('custodians:revoke', args),
  onJobEvent: (listener: (e: JobEvent) => void) => {
    const handler = (_event: unknown, e: JobEvent) => listener(e);
    ipcRenderer.on(JOB_EVENTS, handler);
    return () => {
      ipcRenderer.removeListener(JOB_EVENTS, handler);
    };
  },
} satisfies ProbityApi;

contextBridge.exposeInMainWorld('probity', api);
