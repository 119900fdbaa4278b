// The floor of any Node.js UDP DNS server on this machine: a responder that only flips the QR bit and sends the
// query back (dgram receive + send, nothing else). Our server's qps per busy core divided by this one's says how
// much of the per-query cost is ours rather than Node's socket path.
import dgram from 'node:dgram';

const socket = dgram.createSocket('udp4');
socket.on('message', (msg, rinfo) => {
  msg[2] = (msg[2] ?? 0) | 0x84; // QR + AA
  socket.send(msg, rinfo.port, rinfo.address);
});
socket.bind(Number(process.argv[2] ?? 0), '127.0.0.1', () => process.stdout.write(`ready ${socket.address().port}\n`));
