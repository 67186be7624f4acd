import { SseParser, type SseMessage } from './sse';

function parse(chunks: string[]): SseMessage[] {
  const messages: SseMessage[] = [];
  const parser = new SseParser(m => messages.push(m));
  chunks.forEach(c => parser.push(c));
  parser.end();
  return messages;
}

describe('SseParser', () => {
  it('parses events with ids, names and data', () => {
    expect(
      parse([
        'retry: 2000\n\nid: 1\nevent: log\ndata: {"seq":1}\n\nevent: end\ndata: {}\n\n',
      ]),
    ).toEqual([
      { event: 'log', data: '{"seq":1}', id: '1' },
      { event: 'end', data: '{}' },
    ]);
  });

  it('joins multi-line data, ignores comments and defaults the event name', () => {
    expect(parse([': keep-alive\n\ndata: a\ndata: b\n\n'])).toEqual([
      { event: 'message', data: 'a\nb' },
    ]);
  });

  it('handles messages split anywhere across chunks, including inside CRLF', () => {
    const text =
      'id: 7\r\nevent: log\r\ndata: {"line":"é"}\r\n\r\nid: 8\rdata: x\r\r';
    const expected = [
      { event: 'log', data: '{"line":"é"}', id: '7' },
      { event: 'message', data: 'x', id: '8' },
    ];
    for (let i = 0; i <= text.length; i++) {
      expect(parse([text.slice(0, i), text.slice(i)])).toEqual(expected);
    }
    expect(parse(text.split(''))).toEqual(expected);
  });

  it('waits for the blank line before dispatching', () => {
    expect(parse(['event: log\ndata: 1\n'])).toEqual([]);
  });
});
