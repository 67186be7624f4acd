import { lookupImage } from './imageMap';

describe('image map', () => {
  const images = {
    'ghcr.io/example/agents-harness:*': ['node', 'harness.js'],
    'ghcr.io/example/agents-harness:debug': 'debug.sh',
    'ghcr.io/example/*': ['generic'],
  };

  it('prefers exact keys, then the longest matching pattern', () => {
    expect(lookupImage(images, 'ghcr.io/example/agents-harness:debug')).toEqual(
      ['debug.sh'],
    );
    expect(lookupImage(images, 'ghcr.io/example/agents-harness:1.0')).toEqual([
      'node',
      'harness.js',
    ]);
    expect(lookupImage(images, 'ghcr.io/example/other:1')).toEqual(['generic']);
    expect(lookupImage(images, 'docker.io/library/busybox')).toBeUndefined();
    // Regex metacharacters in keys are literal.
    expect(lookupImage({ 'a.b:*': ['x'] }, 'aXb:1')).toBeUndefined();
  });
});
