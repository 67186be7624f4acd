import type { CliContext, CliStream } from './context';

type Paint = (text: string) => string;

const ansi =
  (open: number, close: number): Paint =>
  text =>
    `\u001b[${open}m${text}\u001b[${close}m`;
const plain: Paint = text => text;

/** Colour only on a terminal, never with `NO_COLOR` set (https://no-color.org), always with `FORCE_COLOR`. */
export function colourEnabled(
  stream: CliStream,
  env: CliContext['env'],
): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY);
}

/** How a command prints: results on stdout (human or JSON), progress and errors on stderr. */
export class Output {
  readonly json: boolean;
  readonly bold: Paint;
  readonly dim: Paint;
  readonly red: Paint;
  readonly green: Paint;
  readonly yellow: Paint;
  readonly cyan: Paint;
  private readonly errColour: boolean;

  constructor(private readonly ctx: CliContext, options: { json?: boolean }) {
    this.json = Boolean(options.json);
    const colour = colourEnabled(ctx.stdout, ctx.env);
    this.bold = colour ? ansi(1, 22) : plain;
    this.dim = colour ? ansi(2, 22) : plain;
    this.red = colour ? ansi(31, 39) : plain;
    this.green = colour ? ansi(32, 39) : plain;
    this.yellow = colour ? ansi(33, 39) : plain;
    this.cyan = colour ? ansi(36, 39) : plain;
    this.errColour = colourEnabled(ctx.stderr, ctx.env);
  }

  /** A line of the result, on stdout. */
  line(text = ''): void {
    this.ctx.stdout.write(`${text}\n`);
  }

  /** A JSON value on one line, on stdout (NDJSON when called for each of a stream's events). */
  value(value: unknown): void {
    this.ctx.stdout.write(`${JSON.stringify(value)}\n`);
  }

  /** Progress on stderr, for people only: nothing with `--json`. */
  progress(text: string): void {
    if (this.json) return;
    const paint = this.errColour ? ansi(2, 22) : plain;
    this.ctx.stderr.write(`${paint(text)}\n`);
  }

  /** An error on stderr, in JSON and human mode alike. */
  error(text: string): void {
    const paint = this.errColour ? ansi(31, 39) : plain;
    this.ctx.stderr.write(`${paint('Error:')} ${text}\n`);
  }
}
