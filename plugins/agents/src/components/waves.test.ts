import { makeFanOut } from '@backstage-agents/plugin-agents-common/testUtils';
import type { AgentsSessionStatus } from '../api/types';
import { groupByWave, waitingForWave, waveProgress, waveTitle } from './waves';

function fanOutOf(
  tasks: [AgentsSessionStatus, number | undefined][],
  fanOut: {
    status?: AgentsSessionStatus;
    currentWave?: number;
    waveError?: string;
  } = {},
) {
  const made = makeFanOut(
    1,
    tasks.map(([status]) => status),
    {
      integrationBranch: 'specs/001-ledger/integration',
      status: 'running',
      ...fanOut,
    },
  );
  made.children.forEach((child, i) => {
    child.wave = tasks[i][1];
  });
  return made;
}

const titles = (made: ReturnType<typeof fanOutOf>) =>
  groupByWave(made.fanOut, made.children).map(waveTitle);

describe('waves', () => {
  it('reads a wave whose tasks all succeeded as succeeded until the fan-out moves on', () => {
    expect(
      titles(
        fanOutOf(
          [
            ['succeeded', 1],
            ['succeeded', 1],
          ],
          { currentWave: 1 },
        ),
      ),
    ).toEqual(['Wave 1 · succeeded']);
  });

  it('reads the waves of a cancelled fan-out as cancelled from the current one on', () => {
    expect(
      titles(
        fanOutOf(
          [
            ['succeeded', 1],
            ['cancelled', 2],
            ['cancelled', 3],
          ],
          { currentWave: 2, status: 'cancelled' },
        ),
      ),
    ).toEqual(['Wave 1 · merged', 'Wave 2 · cancelled', 'Wave 3 · cancelled']);
  });

  it('lists tasks without a wave last', () => {
    const made = fanOutOf(
      [
        ['running', undefined],
        ['running', 1],
      ],
      { currentWave: 1 },
    );
    const groups = groupByWave(made.fanOut, made.children);
    expect(groups.map(waveTitle)).toEqual(['Wave 1 · running', 'No wave']);
    expect(groups[1].tasks.map(t => t.origin.taskId)).toEqual(['T001']);
  });

  it('holds only pending tasks of later waves, and none of a fan-out without waves', () => {
    const { fanOut } = fanOutOf([], { currentWave: 2 });
    expect(waitingForWave({ status: 'pending', wave: 3 }, fanOut)).toBe(2);
    expect(
      waitingForWave({ status: 'pending', wave: 2 }, fanOut),
    ).toBeUndefined();
    expect(
      waitingForWave({ status: 'cancelled', wave: 3 }, fanOut),
    ).toBeUndefined();
    expect(
      waitingForWave(
        { status: 'pending', wave: 3 },
        { ...fanOut, integrationBranch: undefined },
      ),
    ).toBeUndefined();
    expect(
      waitingForWave({ status: 'pending', wave: 3 }, undefined),
    ).toBeUndefined();
  });

  it('says which wave of how many the fan-out is at', () => {
    const made = fanOutOf(
      [
        ['succeeded', 1],
        ['running', 2],
        ['pending', 3],
      ],
      { currentWave: 2 },
    );
    expect(waveProgress(made.fanOut, made.children)).toEqual({
      current: 2,
      total: 3,
    });
    expect(waveProgress(made.fanOut, [])).toBeUndefined();
    expect(
      waveProgress(
        { ...made.fanOut, integrationBranch: undefined },
        made.children,
      ),
    ).toBeUndefined();
  });
});
