import { metricsServiceMock } from '@backstage/backend-test-utils/alpha';
import { RecordingMetricsService } from '../__testUtils__/recordingMetrics';
import { RECONCILER_METRICS, ReconcilerMetrics } from './ReconcilerMetrics';

describe('ReconcilerMetrics', () => {
  const setup = () => {
    const service = new RecordingMetricsService();
    return { service, metrics: ReconcilerMetrics.fromMetricsService(service) };
  };

  it('creates its instruments once, named agents.* with their units', () => {
    const { service } = setup();
    const kinds = Object.fromEntries(
      [...service.instruments].map(([name, i]) => [
        name,
        `${i.kind} ${i.options?.unit}`,
      ]),
    );
    expect(kinds).toEqual({
      'agents.runs.finished': 'counter {run}',
      'agents.runs.launch_latency': 'histogram s',
      'agents.reconciler.lag': 'histogram s',
      'agents.log_followers.active': 'upDownCounter {follower}',
    });
    expect(Object.values(RECONCILER_METRICS).sort()).toEqual(
      Object.keys(kinds).sort(),
    );
  });

  it('works with the metrics service mock of backend-test-utils', () => {
    const service = metricsServiceMock.mock();
    const metrics = ReconcilerMetrics.fromMetricsService(service);
    metrics.runFinished('timed_out', 'codex');
    expect(service.createCounter).toHaveBeenCalledWith(
      'agents.runs.finished',
      expect.objectContaining({ unit: '{run}' }),
    );
    const counter = service.createCounter.mock.results[0].value;
    expect(counter.add).toHaveBeenCalledWith(1, {
      outcome: 'timed_out',
      harness: 'codex',
    });
  });

  it('counts finished runs by outcome and harness', () => {
    const { service, metrics } = setup();
    metrics.runFinished('succeeded', 'opencode');
    metrics.runFinished('succeeded', 'opencode');
    metrics.runFinished('failed', 'claude-code');
    metrics.runFinished('cancelled', 'opencode');
    const runs = RECONCILER_METRICS.runsFinished;
    expect(
      service.sum(runs, { outcome: 'succeeded', harness: 'opencode' }),
    ).toBe(2);
    expect(
      service.sum(runs, { outcome: 'failed', harness: 'claude-code' }),
    ).toBe(1);
    expect(service.sum(runs, { outcome: 'cancelled' })).toBe(1);
    expect(service.sum(runs, { outcome: 'timed_out' })).toBe(0);
  });

  it('records the launch latency in seconds from the launch claim, never below zero', () => {
    const { service, metrics } = setup();
    const claimedAt = '2025-01-01T10:00:00.000Z';
    metrics.podRunning('opencode', claimedAt, Date.parse(claimedAt) + 12_500);
    // Clocks of two replicas disagree a little: a pod seen running "before" its claim took no time.
    metrics.podRunning('codex', claimedAt, Date.parse(claimedAt) - 300);
    metrics.podRunning('codex', 'not a date', Date.parse(claimedAt));
    expect(service.measurements(RECONCILER_METRICS.launchLatency)).toEqual([
      { value: 12.5, attributes: { harness: 'opencode' } },
      { value: 0, attributes: { harness: 'codex' } },
    ]);
  });

  it('records the reconcile lag in seconds', () => {
    const { service, metrics } = setup();
    metrics.reconcileStarted(250);
    metrics.reconcileStarted(-1);
    expect(
      service.measurements(RECONCILER_METRICS.reconcileLag).map(m => m.value),
    ).toEqual([0.25, 0]);
  });

  it('counts live log followers up and down', () => {
    const { service, metrics } = setup();
    metrics.followerStarted();
    metrics.followerStarted();
    metrics.followerStopped();
    expect(service.sum(RECONCILER_METRICS.activeLogFollowers)).toBe(1);
    metrics.followerStopped();
    expect(service.sum(RECONCILER_METRICS.activeLogFollowers)).toBe(0);
  });

  it('has a variant that records nothing', () => {
    const metrics = ReconcilerMetrics.noop();
    expect(() => {
      metrics.runFinished('failed', 'opencode');
      metrics.podRunning('opencode', new Date().toISOString());
      metrics.reconcileStarted(5);
      metrics.followerStarted();
      metrics.followerStopped();
    }).not.toThrow();
  });
});
