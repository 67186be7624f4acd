import {
  fanOutStatus,
  SESSION_STATUSES,
  TERMINAL_STATUSES,
  assertTransition,
  canCancel,
  canResume,
  canTransition,
  InvalidTransitionError,
  isTerminalStatus,
} from './statusModel';

describe('session status model', () => {
  it('follows pending → starting → running → a terminal status', () => {
    expect(canTransition('pending', 'starting')).toBe(true);
    expect(canTransition('starting', 'running')).toBe(true);
    for (const end of TERMINAL_STATUSES) {
      expect(canTransition('running', end)).toBe(true);
    }
  });

  it('never skips backwards while a session is live', () => {
    expect(canTransition('running', 'starting')).toBe(false);
    expect(canTransition('running', 'pending')).toBe(false);
    expect(canTransition('starting', 'pending')).toBe(false);
  });

  it('lets only unfinished sessions be cancelled and only finished ones be resumed', () => {
    for (const status of SESSION_STATUSES) {
      expect(canCancel(status)).toBe(!isTerminalStatus(status));
      expect(canResume(status)).toBe(isTerminalStatus(status));
    }
  });

  it('keeps terminal statuses terminal except for a resume', () => {
    for (const from of TERMINAL_STATUSES) {
      for (const to of SESSION_STATUSES) {
        expect(canTransition(from, to)).toBe(to === 'pending');
      }
    }
  });

  it('explains a refused transition', () => {
    expect(() => assertTransition('succeeded', 'cancelled')).toThrow(
      InvalidTransitionError,
    );
    expect(() => assertTransition('succeeded', 'cancelled')).toThrow(
      'A succeeded session cannot become cancelled; from succeeded it can only become pending',
    );
    expect(() => assertTransition('pending', 'starting')).not.toThrow();
  });
});

describe('fan-out status', () => {
  it('is pending until a child starts, running while any child is unfinished', () => {
    expect(fanOutStatus({})).toBe('pending');
    expect(fanOutStatus({ pending: 3 })).toBe('pending');
    expect(fanOutStatus({ pending: 2, starting: 1 })).toBe('running');
    expect(fanOutStatus({ pending: 2, succeeded: 1 })).toBe('running');
    expect(fanOutStatus({ running: 1, failed: 4 })).toBe('running');
  });

  it('ends failed if any child failed or timed out, else cancelled if any was cancelled, else succeeded', () => {
    expect(fanOutStatus({ succeeded: 5 })).toBe('succeeded');
    expect(fanOutStatus({ succeeded: 4, timed_out: 1 })).toBe('failed');
    expect(fanOutStatus({ cancelled: 2, failed: 1 })).toBe('failed');
    expect(fanOutStatus({ succeeded: 3, cancelled: 1 })).toBe('cancelled');
    expect(fanOutStatus({ succeeded: 0, cancelled: 0 })).toBe('pending');
  });
});
