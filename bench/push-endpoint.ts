import http from 'node:http';

// A stand-in push service for the fan-out benchmark: it takes each Web Push request whole and answers 201,
// as FCM or Mozilla's autopush do, without decrypting (a push service never can). GET /count says how many.
let accepted = 0;
const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/count') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted }));
    return;
  }
  req.on('data', () => {});
  req.on('end', () => {
    accepted++;
    res.writeHead(201).end();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  console.log(`LISTENING http://127.0.0.1:${port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
