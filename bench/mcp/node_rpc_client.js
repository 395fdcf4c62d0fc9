// Node's client as an application would write one: a JSON-RPC client class whose call()
// returns a promise, with a pending map, a deadline timer per call and tools/call's
// content[0].text unwrapped, driven by IN_FLIGHT workers that each await one call at a
// time. It does per call what the SDK's typed call does (the echo floor's lean Node
// client, node_echo_client.js, does none of it). Writes made in one tick go out in one
// write (cork/uncork), as the SDK batches them. Warms up first, as the C++ side does.
// Prints "REQ_PER_SECOND CPU_MICROSECONDS_PER_CALL".
// Usage: node node_rpc_client.js PORT IN_FLIGHT TOTAL
'use strict';
const net = require('net');

class RpcClient {
  constructor(socket) {
    this.socket = socket;
    this.pending = new Map();
    this.next = 0;
    this.prefix = Math.random().toString(16).slice(2, 10);
    this.buffered = '';
    this.corked = false;
    socket.on('data', (chunk) => this.onData(chunk));
  }

  call(method, params, timeoutMs = 30000) {
    const id = `${this.prefix}.${++this.next}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: deadline exceeded`));
      }, timeoutMs);
      this.pending.set(id, {resolve, reject, timer});
      if (!this.corked) {
        this.corked = true;
        this.socket.cork();
        process.nextTick(() => {
          this.corked = false;
          this.socket.uncork();
        });
      }
      this.socket.write(JSON.stringify({jsonrpc: '2.0', id, method, params}) + '\n');
    });
  }

  async callTool(name, args) {
    const result = await this.call('tools/call', {name, arguments: args});
    const text = result && Array.isArray(result.content) && result.content[0] &&
                 result.content[0].text;
    if (typeof text !== 'string') return result;
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }

  onData(chunk) {
    this.buffered += chunk.toString('utf8');
    let newline;
    while ((newline = this.buffered.indexOf('\n')) >= 0) {
      const line = this.buffered.slice(0, newline);
      this.buffered = this.buffered.slice(newline + 1);
      const message = JSON.parse(line);
      const call = this.pending.get(message.id);
      if (!call) continue;
      this.pending.delete(message.id);
      clearTimeout(call.timer);
      if (message.error) {
        call.reject(new Error(message.error.message));
      } else {
        call.resolve(message.result);
      }
    }
  }
}

async function run(client, inFlight, total) {
  let issued = 0;
  const pad = 'x'.repeat(32);
  const worker = async () => {
    while (issued < total) {
      const seq = ++issued;
      const payload = await client.callTool('echo', {seq, pad});
      if (payload.arguments.seq !== seq) throw new Error('answer mismatch');
    }
  };
  await Promise.all(Array.from({length: inFlight}, worker));
}

async function main() {
  const [port, inFlight, total] = process.argv.slice(2).map(Number);
  const socket = net.connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const client = new RpcClient(socket);
  await run(client, inFlight, Math.min(Math.floor(total / 10), 2000));
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  await run(client, inFlight, total);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  console.log(Math.round(total / seconds), ((cpu.user + cpu.system) / total).toFixed(2));
  socket.destroy();
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
