// A Node.js client for the conformance suite: one GET, one JSON line on stdout.
//
//   node client.js https|fetch URL CA.pem [CERT.pem KEY.key]
//
// https: the https module (OpenSSL); fetch: the global fetch (undici), trusting CA through
// NODE_EXTRA_CA_CERTS (set by the runner); fetch cannot present a client certificate here.
'use strict';
const fs = require('fs');
const https = require('https');

const [mode, url, ca, cert, key] = process.argv.slice(2);
const out = { status: null, body: '', error: null };
const done = () => { process.stdout.write(JSON.stringify(out) + '\n'); process.exit(0); };
// The error as Node.js prints it (String(e): "Error: read ECONNRESET"), then its code and
// its cause's, as the profiles write them: "Error: socket hang up (code ECONNRESET)",
// "TypeError: fetch failed (cause: SocketError: other side closed, UND_ERR_SOCKET)".
const fail = (e) => {
  let text = String(e);
  if (e && e.code) text += ` (code ${e.code})`;
  if (e && e.cause) text += ` (cause: ${String(e.cause)}${e.cause.code ? ', ' + e.cause.code : ''})`;
  out.error = text;
  done();
};
setTimeout(() => fail(new Error('client timeout')), 20000).unref();

if (mode === 'fetch') {
  fetch(url).then(async (r) => { out.status = r.status; out.body = await r.text(); done(); }, fail);
} else {
  const opts = { ca: fs.readFileSync(ca) };
  if (cert) { opts.cert = fs.readFileSync(cert); opts.key = fs.readFileSync(key); }
  const req = https.get(url, opts, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (d) => { body += d; });
    res.on('end', () => { out.status = res.statusCode; out.body = body; done(); });
    res.on('error', fail);
  });
  req.on('error', fail);
}
