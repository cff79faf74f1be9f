// `qplay` command dispatch. Kept free of process globals (argv, exit, streams) so tests can
// call runCli in-process; app/cli/main.ts binds it to the real process.
import { parseArgs } from 'node:util';
import type { BackendName } from '../exec/executor.js';
import { decodeModel } from '../model/decode.js';
import { InputError, ModelError, oneLine } from '../model/errors.js';
import type { Model } from '../model/ir.js';
import { CliError, readFileBytes, UsageError } from './cli-errors.js';
import { helpFor } from './help.js';
import { formatFacts, modelFacts } from './inspect.js';
import { calibrateCommand, exportCommand, reportCommand, simulateCommand } from './quant-commands.js';
import { linkCommand, unlinkCommand } from './link-commands.js';
import { formatOutputs, runModel } from './run-model.js';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** stderr is a terminal: long commands draw a progress bar there. */
  readonly stderrIsTTY?: boolean;
}

/** Runs one `qplay` invocation; returns the exit code (0 ok, 1 failure, 2 usage error). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    return await dispatch(
      argv.filter((a) => a !== '--debug'),
      io,
    );
  } catch (e) {
    const err = e as Error;
    if (debug) io.stderr(`${err.stack ?? err}\n`);
    if (e instanceof UsageError) {
      io.stderr(`error: ${err.message} (see 'qplay --help')\n`);
      return 2;
    }
    if (e instanceof CliError || e instanceof ModelError || e instanceof InputError) {
      io.stderr(`error: ${oneLine(err.message)}\n`);
      return 1;
    }
    // A bug, not a user mistake: still one line, and a hint for getting the details.
    io.stderr(
      `error: internal error: ${oneLine(String(err?.message ?? err))}${debug ? '' : ' (rerun with --debug for the stack)'}\n`,
    );
    return 1;
  }
}

async function dispatch(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    io.stderr(helpFor(undefined)!); // no command is a usage error: help goes to stderr, exit 2
    return 2;
  }
  if (command === '--help' || command === '-h') {
    io.stdout(helpFor(undefined)!);
    return 0;
  }
  if (command === 'help') {
    const text = helpFor(rest[0]);
    if (!text) throw new UsageError(`unknown command '${rest[0]}'`);
    io.stdout(text);
    return 0;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    const text = helpFor(command);
    if (text) {
      io.stdout(text);
      return 0;
    }
  }
  if (command === 'inspect') return inspectCommand(rest, io);
  if (command === 'run') return runCommand(rest, io);
  if (command === 'calibrate') return calibrateCli(rest, io);
  if (command === 'simulate') return simulateCli(rest, io);
  if (command === 'export') return exportCli(rest, io);
  if (command === 'report') return reportCli(rest, io);
  if (command === 'link') return linkCli(rest, io);
  if (command === 'unlink') return unlinkCli(rest, io);
  throw new UsageError(`unknown command '${command}'`);
}

type OptionSpec = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

function parse<O extends OptionSpec>(command: string, args: readonly string[], options: O) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (e) {
    // parseArgs explains itself in a sentence or two; keep the first.
    throw new UsageError(`${command}: ${oneLine((e as Error).message).split('. ')[0]}`);
  }
}

function loadModel(path: string): Model {
  const bytes = readFileBytes(path, 'model');
  try {
    return decodeModel(bytes);
  } catch (e) {
    throw prefixed(e, path);
  }
}

/** Engine errors say what went wrong; prefixing the file says where (the stack stays intact). */
function prefixed(e: unknown, path: string): unknown {
  if (e instanceof ModelError || e instanceof InputError) e.message = `${path}: ${e.message}`;
  return e;
}

function onePositional(command: string, positionals: readonly string[]): string {
  if (positionals.length === 0) throw new UsageError(`${command}: missing MODEL`);
  if (positionals.length > 1) throw new UsageError(`${command}: unexpected argument '${positionals[1]}'`);
  return positionals[0];
}

function inspectCommand(args: readonly string[], io: CliIo): number {
  const { values, positionals } = parse('inspect', args, { json: { type: 'boolean' } });
  const path = onePositional('inspect', positionals);
  const facts = modelFacts(loadModel(path));
  io.stdout(
    values.json ? `${JSON.stringify({ model: path, ...facts }, null, 2)}\n` : formatFacts(path, facts),
  );
  return 0;
}

async function runCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse('run', args, {
    input: { type: 'string', multiple: true },
    out: { type: 'string' },
    backend: { type: 'string', default: 'cpu' },
    integer: { type: 'boolean', default: false },
    accumulation: { type: 'string', default: 'auto' },
  });
  const path = onePositional('run', positionals);
  const backend = values.backend as string;
  if (backend !== 'cpu' && backend !== 'webgpu') {
    throw new UsageError(`run: --backend must be cpu or webgpu, not '${backend}'`);
  }
  if (!values.out) throw new UsageError('run: missing --out DIR');
  const accumulation = values.accumulation as string;
  if (accumulation !== 'auto' && accumulation !== 'exact' && accumulation !== 'x86-u8s8-pairwise') {
    throw new UsageError(
      `run: --accumulation must be auto, exact or x86-u8s8-pairwise, not '${accumulation}'`,
    );
  }
  const model = loadModel(path);
  try {
    const { outputs, placement } = await runModel({
      model,
      inputPaths: (values.input as string[] | undefined) ?? [],
      backend: backend as BackendName,
      integer: values.integer as boolean,
      accumulation,
      outDir: values.out as string,
    });
    io.stdout(formatOutputs(outputs));
    if (placement) io.stdout(`${placement}\n`);
    return 0;
  } catch (e) {
    // Name the model in engine errors (unsupported ops, a node that failed) so the line says where.
    throw prefixed(e, path);
  }
}

const IMAGE_OPTIONS = {
  size: { type: 'string' },
  layout: { type: 'string' },
  mean: { type: 'string' },
  std: { type: 'string' },
  scale: { type: 'string' },
  'channel-order': { type: 'string' },
} as const;

function quantIo(io: CliIo) {
  return { stdout: io.stdout, stderr: io.stderr, progress: io.stderrIsTTY === true };
}

async function calibrateCli(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse('calibrate', args, {
    data: { type: 'string' },
    config: { type: 'string' },
    observer: { type: 'string' },
    'per-channel': { type: 'boolean' },
    'per-tensor': { type: 'boolean' },
    'activation-dtype': { type: 'string' },
    range: { type: 'string' },
    'no-error-propagation': { type: 'boolean' },
    backend: { type: 'string' },
    out: { type: 'string' },
    ...IMAGE_OPTIONS,
  });
  const path = onePositional('calibrate', positionals);
  const bytes = readFileBytes(path, 'model');
  const model = loadModel(path);
  try {
    return await calibrateCommand(
      path,
      bytes,
      model,
      {
        data: values.data,
        config: values.config,
        observer: values.observer,
        perChannel: values['per-channel'],
        perTensor: values['per-tensor'],
        activationDtype: values['activation-dtype'],
        range: values.range,
        noErrorPropagation: values['no-error-propagation'],
        backend: values.backend,
        out: values.out,
        size: values.size,
        layout: values.layout,
        mean: values.mean,
        std: values.std,
        scale: values.scale,
        channelOrder: values['channel-order'],
      },
      quantIo(io),
    );
  } catch (e) {
    throw prefixed(e, path);
  }
}

async function simulateCli(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse('simulate', args, {
    session: { type: 'string' },
    input: { type: 'string', multiple: true },
    mode: { type: 'string' },
    accumulator: { type: 'string' },
    passthrough: { type: 'string', multiple: true },
    backend: { type: 'string' },
    out: { type: 'string' },
  });
  const path = onePositional('simulate', positionals);
  const model = loadModel(path);
  try {
    return await simulateCommand(model, values, quantIo(io));
  } catch (e) {
    throw prefixed(e, path);
  }
}

function exportCli(args: readonly string[], io: CliIo): number {
  const { values, positionals } = parse('export', args, {
    session: { type: 'string' },
    out: { type: 'string' },
    overrides: { type: 'string' },
  });
  const path = onePositional('export', positionals);
  const model = loadModel(path);
  try {
    return exportCommand(model, values, quantIo(io));
  } catch (e) {
    throw prefixed(e, path);
  }
}

async function reportCli(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse('report', args, {
    session: { type: 'string' },
    data: { type: 'string' },
    json: { type: 'boolean' },
    mode: { type: 'string' },
    backend: { type: 'string' },
    samples: { type: 'string' },
    ...IMAGE_OPTIONS,
  });
  const path = onePositional('report', positionals);
  const model = loadModel(path);
  try {
    return await reportCommand(model, { ...values, channelOrder: values['channel-order'] }, quantIo(io));
  } catch (e) {
    throw prefixed(e, path);
  }
}

function linkCli(args: readonly string[], io: CliIo): number {
  const { values, positionals } = parse('link', args, {
    base: { type: 'string' },
    sample: { type: 'string' },
    'model-url': { type: 'string' },
    selected: { type: 'string' },
  });
  if (positionals.length !== 1)
    throw new UsageError(
      positionals.length === 0
        ? 'link: missing SESSION.json'
        : `link: unexpected argument '${positionals[1]}'`,
    );
  return linkCommand(positionals[0], values, (s) => io.stdout(s));
}

async function unlinkCli(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse('unlink', args, {
    out: { type: 'string' },
    model: { type: 'string' },
  });
  if (positionals.length !== 1)
    throw new UsageError(
      positionals.length === 0 ? 'unlink: missing URL' : `unlink: unexpected argument '${positionals[1]}'`,
    );
  const model = values.model
    ? { path: values.model, model: loadModel(values.model), bytes: readFileBytes(values.model, 'model') }
    : undefined;
  return unlinkCommand(positionals[0], { out: values.out, model }, (s) => io.stdout(s));
}
