// A real OpenID provider for the OIDC login tests: the certified npm package oidc-provider,
// run with the machine's Node.js on 127.0.0.1. Started by tests/identity/conftest.py with
// a JSON file: {port, client: {client_id, client_secret, redirect_uris}, accounts: {sub:
// {login, password, disabled, claims}}}. It prints "ready <issuer>" once it listens. The
// accounts are read again at every login, so that a test can change a person's groups or
// lock them at the provider, as a city's administration does.
//
// The login and consent steps (the provider's "interactions") are the provider's own
// business, so they are a plain form here: GET /interaction/<uid> shows it, POST
// /interaction/<uid>/login checks login name and password (field "amr" says which methods
// the person used, as a provider with a second factor reports them). Consent is given for
// the requested scopes, as a city's provider does for its own applications.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { generateKeyPair, exportJWK } from 'jose';
import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const issuer = `http://127.0.0.1:${config.port}`;
const accounts = () => JSON.parse(readFileSync(process.argv[2], 'utf8')).accounts;

const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), use: 'sig', alg: 'RS256', kid: 'test-key-1' };

const provider = new Provider(issuer, {
  clients: [{
    ...config.client,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  }],
  jwks: { keys: [jwk] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  // Every login must prove the code verifier (PKCE), not only public clients'.
  pkce: { required: () => true },
  claims: {
    // amr: the methods of the login (pwd, otp, ...), for the second factor's rule.
    openid: ['sub', 'amr'],
    profile: ['preferred_username', 'given_name', 'family_name'],
    email: ['email'],
    groups: ['groups'],
  },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, sub) {
    const account = accounts()[sub];
    if (!account) return undefined;
    return { accountId: sub, claims: async () => ({ sub, ...account.claims }) };
  },
});

function body(req) {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (chunk) => { data += chunk; });
    req.on('end', () => resolve(new URLSearchParams(data)));
    req.on('error', reject);
  });
}

function page(res, status, html) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><title>Test-Anbieter</title>${html}`);
}

async function interaction(req, res, uid, step) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session } = details;
  if (prompt.name === 'login') {
    if (req.method === 'GET' || step !== 'login') {
      return page(res, 200, `<form method="post" action="/interaction/${uid}/login">
        <input name="login"><input name="password" type="password"><input name="amr">
        <button>Anmelden</button></form>`);
    }
    const form = await body(req);
    const entry = Object.entries(accounts()).find(([, account]) => account.login === form.get('login'));
    if (!entry || entry[1].password !== form.get('password') || entry[1].disabled) {
      return page(res, 200, '<p id="refused">Anmeldung abgelehnt</p>');
    }
    const amr = (form.get('amr') || 'pwd').split(',').filter(Boolean);
    return provider.interactionFinished(req, res, { login: { accountId: entry[0], amr } },
      { mergeWithLastSubmission: false });
  }
  if (prompt.name === 'consent') {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    const grantId = await grant.save();
    return provider.interactionFinished(req, res, { consent: { grantId } },
      { mergeWithLastSubmission: true });
  }
  return page(res, 400, `<p>unknown prompt ${prompt.name}</p>`);
}

const handler = provider.callback();
const server = http.createServer(async (req, res) => {
  const match = req.url.match(/^\/interaction\/([^/?]+)(?:\/([a-z]+))?/);
  if (!match) return handler(req, res);
  try {
    return await interaction(req, res, match[1], match[2]);
  } catch (error) {
    return page(res, 500, `<pre>${String(error)}</pre>`);
  }
});
server.listen(config.port, '127.0.0.1', () => {
  process.stdout.write(`ready ${issuer}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
