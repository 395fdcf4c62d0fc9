// Node's floor on the echo server: one connection, `inFlight` requests kept outstanding,
// the same request bytes as the C++ client's typed and raw calls, and nothing per call
// but the JSON: no pending map, no timer, no promise. Prints "REQ_PER_SECOND
// CPU_MICROSECONDS_PER_CALL".
// A warm-up of TOTAL/10 calls (the JIT's) comes first, as the C++ side warms up too.
// Usage: node node_echo_client.js PORT IN_FLIGHT TOTAL
'use strict';
const net = require('net');

const [port, inFlight, measured] = process.argv.slice(2).map(Number);
const warmUp = Math.min(Math.floor(measured / 10), 2000);
let total = warmUp;
let warming = true;
const pad = 'x'.repeat(32);
let sent = 0;
let done = 0;
let buffered = '';
let started = process.hrtime.bigint();
let cpuBefore = process.cpuUsage();
const socket = net.connect(port, '127.0.0.1');
socket.setNoDelay(true);

function request(n) {
  return JSON.stringify({jsonrpc: '2.0', id: n, method: 'tools/call',
                         params: {name: 'echo', arguments: {seq: n, pad}}}) + '\n';
}

function fill() {
  let batch = '';
  while (sent < total && sent - done < inFlight) batch += request(++sent);
  if (batch) socket.write(batch);
}

socket.on('connect', fill);
socket.on('data', (chunk) => {
  buffered += chunk.toString('utf8');
  let newline;
  while ((newline = buffered.indexOf('\n')) >= 0) {
    const line = buffered.slice(0, newline);
    buffered = buffered.slice(newline + 1);
    const message = JSON.parse(line);
    if (message.result === undefined) throw new Error('bad answer: ' + line);
    ++done;
  }
  if (done === total && warming) {
    warming = false;
    sent = 0;
    done = 0;
    total = measured;
    cpuBefore = process.cpuUsage();
    started = process.hrtime.bigint();
  } else if (done === total) {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const cpu = process.cpuUsage(cpuBefore);
    console.log(Math.round(total / seconds), ((cpu.user + cpu.system) / total).toFixed(2));
    socket.destroy();
    return;
  }
  fill();
});
socket.on('error', (error) => { console.error(error.message); process.exit(1); });
