import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContainerLog, LogEntry } from './containerLog';

describe('ContainerLog', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kube-sim-log-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('records whole lines per stream, across chunk and character boundaries', () => {
    const log = new ContainerLog(join(dir, 'main.log'));
    const euro = Buffer.from('€ sign\n');
    log.write('stdout', Buffer.from('hel'));
    log.write('stderr', Buffer.from('warn'));
    log.write('stdout', Buffer.from('lo wor'));
    log.write(
      'stdout',
      Buffer.concat([Buffer.from('ld\n'), euro.subarray(0, 1)]),
    );
    log.write('stdout', euro.subarray(1));
    expect(log.entries().map(e => e.line)).toEqual(['hello world', '€ sign']);
    log.write('stdout', Buffer.from('no newline'));
    log.close();
    expect(log.entries().map(e => `${e.stream}:${e.line}`)).toEqual([
      'stdout:hello world',
      'stdout:€ sign',
      // Unfinished lines are flushed at exit, stdout first.
      'stdout:no newline',
      'stderr:warn',
    ]);
    // Output after close (a pod being removed) is dropped.
    log.write('stdout', Buffer.from('late\n'));
    expect(log.entries()).toHaveLength(4);
  });

  it('feeds followers until the container exits', () => {
    const log = new ContainerLog(join(dir, 'main.log'));
    const seen: LogEntry[] = [];
    let ended = false;
    log.follow(
      e => seen.push(e),
      () => (ended = true),
    );
    log.write('stdout', Buffer.from('one\ntwo\n'));
    expect(seen.map(e => e.line)).toEqual(['one', 'two']);
    expect(Date.parse(seen[0].time)).not.toBeNaN();
    log.close();
    expect(ended).toBe(true);
  });
});
