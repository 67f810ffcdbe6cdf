import Fastify from 'fastify';

// The bare ceiling: Fastify answering a small JSON object with no work behind it.
const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));
const address = await app.listen({ port: 0, host: '127.0.0.1' });
console.log(`LISTENING ${address}`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
