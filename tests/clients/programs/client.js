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
const fail = (e) => {
  let text = String(e && e.message ? e.message : e);
  if (e && e.code) text = `${e.code}: ${text}`;
  if (e && e.cause) text += ` (cause: ${e.cause.code ? e.cause.code + ': ' : ''}${e.cause.message || e.cause})`;
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
