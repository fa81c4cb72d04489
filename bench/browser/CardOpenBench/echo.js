// Raw echo frame for the round-trip baseline: no bootstrap, no context, no validation. Offers its
// port the way the bootstrap does (a hello carrying one port), then answers every ping.
const channel = new MessageChannel();
channel.port1.onmessage = (m) => channel.port1.postMessage({ type: 'pong', seq: m.data.seq });
parent.postMessage({ type: 'labyrinth:hello' }, '*', [channel.port2]);
