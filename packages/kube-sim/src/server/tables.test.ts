import { findType } from './resources';
import { humanAge, toTable, wantsTable } from './tables';

describe('tables', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  const ago = (seconds: number) => new Date(now - seconds * 1000).toISOString();

  it('prints ages like kubectl', () => {
    expect(humanAge(ago(42), now)).toBe('42s');
    expect(humanAge(ago(185), now)).toBe('3m5s');
    expect(humanAge(ago(47 * 60), now)).toBe('47m');
    expect(humanAge(ago(5 * 3600 + 180), now)).toBe('5h3m');
    expect(humanAge(ago(20 * 3600), now)).toBe('20h');
    expect(humanAge(ago(3 * 86400), now)).toBe('3d');
  });

  it('recognises kubectl table requests', () => {
    expect(
      wantsTable(
        'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
      ),
    ).toBe(true);
    expect(wantsTable('application/json')).toBe(false);
    expect(wantsTable(undefined)).toBe(false);
  });

  it('shows the most telling pod status', () => {
    const pods = findType('', 'v1', 'pods')!;
    const pod = (status: any, metadata: any = {}) => ({
      metadata: {
        name: 'p',
        creationTimestamp: new Date().toISOString(),
        ...metadata,
      },
      spec: { containers: [{ name: 'main' }] },
      status,
    });
    const statusCell = (p: any) => toTable(pods, [p], '1').rows[0].cells[2];
    expect(
      statusCell(
        pod({
          phase: 'Pending',
          containerStatuses: [
            {
              ready: false,
              state: { waiting: { reason: 'CreateContainerConfigError' } },
            },
          ],
        }),
      ),
    ).toBe('CreateContainerConfigError');
    expect(
      statusCell(
        pod({
          phase: 'Running',
          containerStatuses: [{ ready: true, state: { running: {} } }],
        }),
      ),
    ).toBe('Running');
    expect(
      statusCell(
        pod({
          phase: 'Succeeded',
          containerStatuses: [
            { state: { terminated: { reason: 'Completed', exitCode: 0 } } },
          ],
        }),
      ),
    ).toBe('Completed');
    expect(
      statusCell(pod({ phase: 'Failed', reason: 'DeadlineExceeded' })),
    ).toBe('DeadlineExceeded');
    expect(
      statusCell(
        pod(
          { phase: 'Running' },
          { deletionTimestamp: new Date().toISOString() },
        ),
      ),
    ).toBe('Terminating');
    const table = toTable(
      pods,
      [
        pod({
          phase: 'Running',
          containerStatuses: [{ ready: true, restartCount: 0 }],
        }),
      ],
      '7',
    );
    expect(table).toMatchObject({
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { resourceVersion: '7' },
    });
    expect(table.columnDefinitions.map(c => c.name)).toEqual([
      'Name',
      'Ready',
      'Status',
      'Restarts',
      'Age',
      'IP',
      'Node',
    ]);
    expect(table.rows[0].cells.slice(0, 2)).toEqual(['p', '1/1']);
  });
});
