// @ts-check
'use strict';
const path = require('node:path');

/**
 * The demo harness: a deterministic stand-in for a coding agent, for development setups without
 * API keys. It runs demo-agent.js, which edits the repository without any model and keeps a
 * conversation state, so clone, edit, push, bundle, resume and result can all be seen working.
 */
module.exports = {
  name: 'demo',
  stateDirectories: ['.local/share/agents-demo'],
  /** @param {{ prompt: string, harnessSessionId?: string }} input */
  command({ prompt, harnessSessionId }) {
    return {
      file: process.execPath,
      args: [
        path.join(__dirname, '..', 'demo-agent.js'),
        ...(harnessSessionId ? ['--resume', harnessSessionId] : []),
      ],
      stdin: prompt,
    };
  },
  /** @param {string} line */
  parseLine(line) {
    let event;
    try {
      event = JSON.parse(line);
    } catch {
      return { log: [line] };
    }
    switch (event.type) {
      case 'session':
        return { sessionId: event.id, log: [`[demo] session ${event.id}${event.resumed ? ' (resumed)' : ''}`] };
      case 'step':
        return { log: [`[demo] ${event.text}`] };
      case 'edit':
        return { log: [`[tool] edit ${event.path}`] };
      case 'done':
        return { summary: event.summary, log: [`[demo] ${event.summary}`] };
      case 'error':
        return { error: event.message, log: [`[demo] error: ${event.message}`] };
      default:
        return { log: [line] };
    }
  },
};
