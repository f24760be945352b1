// The checker process (docs/checker.md): JSON lines over stdio with the server, or `--once FILE`
// (one check message from FILE, heal requests answered with null, the lines printed; for the
// benchmark). stdout carries protocol lines only; diagnostics go to stderr.
//
// Exit codes: 0 after stdin closed or SIGTERM (every check ended with its `done`); 2 bad usage or
// an unreadable --once file; 3 Chromium could not be launched at start (nothing was sent but a log).
import { readFileSync } from 'node:fs';
import { BrowserHost, guideCoreSource } from './browser.js';
import { configFrom } from './config.js';
import { MAX_LINE_BYTES, parseLine, type Outbound } from './protocol.js';
import { CheckerService } from './service.js';

const VERSION = (() => {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
})();

function write(line: Outbound): void {
  let text = JSON.stringify(line);
  if (text.length > MAX_LINE_BYTES && (line.type === 'step' || line.type === 'heal')) text = JSON.stringify({ ...line, screenshot: null });
  process.stdout.write(`${text}\n`);
}

function stderr(message: string): void {
  process.stderr.write(`checker: ${message}\n`);
}

/** Splits stdin into lines, each at most MAX_LINE_BYTES (a longer one is dropped and reported). */
function readLines(onLine: (line: string) => void, onTooLong: () => void, onEnd: () => void): void {
  let parts: Buffer[] = [];
  let size = 0;
  let skipping = false;
  process.stdin.on('data', (chunk: Buffer) => {
    let from = 0;
    for (let nl = chunk.indexOf(10, from); nl >= 0; nl = chunk.indexOf(10, from)) {
      const piece = chunk.subarray(from, nl);
      if (!skipping && size + piece.length <= MAX_LINE_BYTES) onLine(Buffer.concat([...parts, piece]).toString('utf8'));
      else if (!skipping) onTooLong();
      parts = [];
      size = 0;
      skipping = false;
      from = nl + 1;
    }
    const rest = chunk.subarray(from);
    if (skipping || !rest.length) return;
    if (size + rest.length > MAX_LINE_BYTES) {
      skipping = true;
      parts = [];
      size = 0;
      onTooLong();
      return;
    }
    parts.push(rest);
    size += rest.length;
  });
  process.stdin.on('end', () => {
    if (!skipping && size) onLine(Buffer.concat(parts).toString('utf8'));
    onEnd();
  });
}

async function start(onceFile: string | null): Promise<void> {
  const config = configFrom(process.env);
  let guideCore: string;
  let once: string | null = null;
  try {
    guideCore = guideCoreSource().code;
    if (onceFile) once = readFileSync(onceFile, 'utf8');
  } catch (e) {
    stderr((e as Error).message);
    process.exit(2);
  }
  if (once !== null) {
    const parsed = parseLine(once.trim());
    if (parsed.kind !== 'message' || parsed.message.type !== 'check') {
      stderr(`${onceFile}: not a check message${parsed.kind === 'invalid' ? `: ${parsed.error}` : ''}`);
      process.exit(2);
    }
  }

  const host = new BrowserHost(config.chromiumPath, (level, message) => write({ type: 'log', level, message }));
  const service = new CheckerService({ config, host, guideCore, emit: write, healsAnswerNull: once !== null });
  process.stdout.on('error', () => {}); // the server went away: nothing left to tell it
  process.on('uncaughtException', (e) => write({ type: 'log', level: 'error', message: `uncaught: ${e.stack ?? e.message}` }));
  process.on('unhandledRejection', (e) => write({ type: 'log', level: 'error', message: `unhandled rejection: ${(e as Error)?.stack ?? String(e)}` }));

  let exiting = false;
  const exit = async (reason: string) => {
    if (exiting) return;
    exiting = true;
    await service.shutdown(reason);
    await host.close();
    process.stdout.write('', () => process.exit(0));
  };
  process.on('SIGTERM', () => void exit('the checker was stopped (SIGTERM)'));
  process.on('SIGINT', () => void exit('the checker was stopped (SIGINT)'));

  let browser;
  try {
    browser = await host.get();
  } catch (e) {
    write({ type: 'log', level: 'error', message: `Chromium could not be launched (${config.chromiumPath}): ${(e as Error).message.split('\n')[0]}` });
    await host.close();
    process.exit(3);
  }
  write({ type: 'ready', version: VERSION, chromium: browser.version(), max_pages: config.concurrency });

  if (once !== null) {
    service.handleLine(once.trim());
    await service.whenIdle();
    await exit('done');
    return;
  }
  readLines(
    (line) => service.handleLine(line),
    () => write({ type: 'log', level: 'error', message: `bad input line: longer than ${MAX_LINE_BYTES} bytes; dropped` }),
    () => void exit('stdin closed: the server went away'),
  );
}

const args = process.argv.slice(2);
const at = args.indexOf('--once');
if (args.includes('--help') || (at >= 0 && !args[at + 1])) {
  process.stderr.write('usage: node dist/main.js            (JSON lines on stdin/stdout, docs/checker.md)\n       node dist/main.js --once FILE  (one check message from FILE; heal requests answered with null)\n');
  process.exit(args.includes('--help') ? 0 : 2);
}
void start(at >= 0 ? args[at + 1]! : null);
