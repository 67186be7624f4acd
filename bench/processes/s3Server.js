#!/usr/bin/env node
/**
 * The S3-compatible server the bundle store's tests use (s3rver: objects as files in a directory),
 * in its own process for the bundle bench so that its work is not counted as the backend's.
 *   node s3Server.js <directory> <bucket>
 * Prints `{"port":…}` once listening; stops on SIGTERM or when its parent disconnects.
 */
const S3rver = require('s3rver');

async function main() {
  const [directory, bucket] = process.argv.slice(2);
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  process.stdout.write(`${JSON.stringify({ port })}\n`);
  const stop = () => server.close().finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
