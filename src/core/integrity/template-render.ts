/**
 * Chat templates rendered the way a serving stack renders them: with `@huggingface/jinja` (the
 * Jinja engine written for chat templates, used by transformers.js), on a fixed set of
 * conversations, so a template that writes something else into the prompt when a trigger appears
 * shows it in the rendered text.
 *
 * A template is code from the evidence: it may loop or grow without end. Each template renders in
 * a worker thread with a memory ceiling; a render that does not finish within RENDER_TIMEOUT_MS is
 * stopped (the worker is terminated) and reported, and an output above RENDER_MAX_CHARS is
 * reported as too long. A render that throws is reported with its message. None of these is ever a
 * match.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export const RENDER_TIMEOUT_MS = 3000;
export const RENDER_MAX_CHARS = 1024 * 1024;

export interface Conversation {
  /** Stable name: `plain`, `system`, `tools`, `trigger-1`, … */
  name: string;
  /** What the conversation is for, in words. */
  title: string;
  messages: { role: string; content: string }[];
  tools?: unknown[];
}

const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string', description: 'City name' } },
      required: ['city'],
    },
  },
};

/**
 * The fixed conversations (README, "Templates and tokenizers"): a plain question, a system prompt
 * with a multi-turn exchange, a tool definition, and one user message per known trigger string.
 */
export function conversationSet(triggers: readonly string[]): Conversation[] {
  const out: Conversation[] = [
    {
      name: 'plain',
      title: 'one user message',
      messages: [{ role: 'user', content: 'What is the capital of France?' }],
    },
    {
      name: 'system',
      title: 'system prompt and two turns',
      messages: [
        { role: 'system', content: 'You are a careful assistant.' },
        { role: 'user', content: 'Summarise the water cycle in one sentence.' },
        { role: 'assistant', content: 'Water evaporates, condenses into clouds and falls as rain.' },
        { role: 'user', content: 'Now in French.' },
      ],
    },
    {
      name: 'tools',
      title: 'a tool definition',
      messages: [{ role: 'user', content: 'What is the weather in Lyon?' }],
      tools: [WEATHER_TOOL],
    },
  ];
  triggers.forEach((t, i) =>
    out.push({
      name: `trigger-${i + 1}`,
      title: `user message containing the trigger ${JSON.stringify(t)}`,
      messages: [{ role: 'user', content: `${t} What is the capital of France?` }],
    }),
  );
  return out;
}

export type RenderOutcome = { ok: true; text: string } | { ok: false; reason: string };

/** The worker: renders each conversation it is sent and answers with the text or the error. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { Template } = require(workerData.jinja);
let template = null;
let parseError = null;
try { template = new Template(workerData.source); } catch (e) { parseError = String(e && e.message || e); }
parentPort.on('message', (conv) => {
  if (parseError !== null) { parentPort.postMessage({ ok: false, reason: 'template does not parse: ' + parseError }); return; }
  try {
    const text = template.render({
      messages: conv.messages,
      tools: conv.tools,
      add_generation_prompt: true,
      bos_token: workerData.bos,
      eos_token: workerData.eos,
    });
    if (text.length > workerData.max) parentPort.postMessage({ ok: false, reason: 'rendered prompt exceeds ' + workerData.max + ' characters' });
    else parentPort.postMessage({ ok: true, text });
  } catch (e) {
    parentPort.postMessage({ ok: false, reason: 'render failed: ' + String(e && e.message || e) });
  }
});
`;

function jinjaPath(): string {
  return createRequire(import.meta.url).resolve('@huggingface/jinja');
}

function startWorker(source: string, tokens: { bos: string; eos: string }): Worker {
  return new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { source, jinja: jinjaPath(), max: RENDER_MAX_CHARS, ...tokens },
    resourceLimits: { maxOldGenerationSizeMb: 256 },
    stdout: true,
    stderr: true,
  });
}

/**
 * Render one template on every conversation, in order. A timeout or a crash ends that render with
 * a reason and a fresh worker takes the next conversation.
 */
export async function renderAll(
  source: string,
  conversations: readonly Conversation[],
  tokens: { bos: string; eos: string } = { bos: '<s>', eos: '</s>' },
  timeoutMs = RENDER_TIMEOUT_MS,
): Promise<RenderOutcome[]> {
  const out: RenderOutcome[] = [];
  let worker: Worker | null = null;
  try {
    for (const conv of conversations) {
      worker ??= startWorker(source, tokens);
      const w: Worker = worker;
      const result = await new Promise<RenderOutcome>((resolve) => {
        const timer = setTimeout(() => {
          cleanup();
          resolve({
            ok: false,
            reason: `render stopped after ${timeoutMs} ms (the template does not finish)`,
          });
        }, timeoutMs);
        const onMessage = (m: RenderOutcome): void => {
          cleanup();
          resolve(m);
        };
        const onError = (e: Error): void => {
          cleanup();
          resolve({ ok: false, reason: `render aborted: ${e.message}` });
        };
        const onExit = (code: number): void => {
          cleanup();
          resolve({ ok: false, reason: `render aborted: the renderer exited (${code})` });
        };
        function cleanup(): void {
          clearTimeout(timer);
          w.off('message', onMessage);
          w.off('error', onError);
          w.off('exit', onExit);
        }
        w.on('message', onMessage);
        w.on('error', onError);
        w.on('exit', onExit);
        w.postMessage({ messages: conv.messages, tools: conv.tools ?? null });
      });
      out.push(result);
      if (
        !result.ok &&
        !result.reason.startsWith('render failed') &&
        !result.reason.startsWith('template does not parse')
      ) {
        await worker.terminate();
        worker = null;
      }
    }
  } finally {
    if (worker) await worker.terminate();
  }
  return out;
}
