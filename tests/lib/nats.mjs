// A private nats-server (Debian's package) on a free port, for tests that restart it.
import { spawn } from 'node:child_process';
import net from 'node:net';

async function freePort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

async function listening(port) {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise((r) => {
      const c = net.connect(port, '127.0.0.1', () => {
        c.destroy();
        r(true);
      });
      c.on('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`nats-server did not listen on ${port}`);
}

/** Start nats-server; `restart()` stops it and starts it again on the same port. */
export async function startNats() {
  const port = await freePort();
  let child;
  const run = async () => {
    child = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
    await listening(port);
  };
  const kill = async () => {
    child.kill('SIGKILL');
    await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', r)));
  };
  await run();
  return {
    url: `nats://127.0.0.1:${port}`,
    async restart() {
      await kill();
      await run();
    },
    stop: kill,
  };
}
