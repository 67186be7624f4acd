import { SessionEventHub, type SessionEvent } from './SessionEventHub';

const task = { id: 'task', status: 'running' as const, entityRef: 'component:default/a', parentSessionId: 'fan' };
const fanOut = { id: 'fan', status: 'running' as const, entityRef: 'component:default/a' };

describe('SessionEventHub', () => {
  it("tells a session's viewers its events, and each type's listeners every session's", () => {
    const hub = new SessionEventHub();
    const viewer: SessionEvent[] = [];
    const statuses: string[] = [];
    const updates: string[] = [];
    hub.subscribe('task', event => viewer.push(event));
    hub.on('status', ({ session }) => statuses.push(`${session.id}:${session.status}`));
    hub.on('updated', ({ session }) => updates.push(session.id));

    const lines = [{ seq: 1, runId: 'r', timestamp: 't', line: 'hello' }];
    hub.publish({ type: 'lines', sessionId: 'task', lines });
    // A task's write reports its own status, then its fan-out's.
    hub.publishStatus(task, fanOut);
    hub.publish({ type: 'updated', session: task });

    expect(viewer).toEqual([
      { type: 'lines', sessionId: 'task', lines },
      { type: 'status', session: task },
      { type: 'updated', session: task },
    ]);
    expect(statuses).toEqual(['task:running', 'fan:running']);
    expect(updates).toEqual(['task']);
  });

  it('stops telling a listener once it unsubscribes', () => {
    const hub = new SessionEventHub();
    const heard: string[] = [];
    const stopViewing = hub.subscribe('fan', () => heard.push('viewer'));
    const stopListening = hub.on('status', () => heard.push('listener'));
    hub.publishStatus(fanOut);
    stopViewing();
    stopListening();
    hub.publishStatus(fanOut);
    expect(heard).toEqual(['viewer', 'listener']);
  });
});
