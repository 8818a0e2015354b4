import { execFile, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * A local git server over HTTP (the real `git http-backend` behind a tiny CGI bridge), so
 * that tests can push with the same isomorphic-git code publish:github uses and then
 * inspect the result with the real git CLI.
 */
export interface GitHttpServer {
  url: string;
  /** Creates an empty bare repository that accepts pushes; returns its URL and path. */
  createRepo(name: string): { url: string; dir: string };
  close(): Promise<void>;
}

/**
 * Runs the git CLI without blocking: the server answering it may live in this process.
 */
export async function git(args: string[], cwd?: string): Promise<string> {
  return (await promisify(execFile)('git', args, { cwd, encoding: 'utf8' }))
    .stdout;
}

function gitSync(args: string[], cwd?: string) {
  execFileSync('git', args, { cwd });
}

export async function startGitHttpServer(): Promise<GitHttpServer> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bluegreen-git-'));
  const backend = execFileSync('git', ['--exec-path'], {
    encoding: 'utf8',
  }).trim();
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    // git http-backend needs the body's length: read it whole (clients may send chunked).
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      chunks.push(chunk as Buffer);
    }
    const body = Buffer.concat(chunks);
    const cgi = spawn(path.join(backend, 'git-http-backend'), [], {
      env: {
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        REQUEST_METHOD: req.method ?? 'GET',
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        CONTENT_LENGTH: String(body.length),
        HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
        REMOTE_USER: 'test',
        REMOTE_ADDR: '127.0.0.1',
      },
    });
    // A refusal (unknown repository) ends the backend before it reads the body.
    cgi.stdin.on('error', () => {});
    cgi.stdin.end(body);
    let head = Buffer.alloc(0);
    let headersSent = false;
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (headersSent) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        return;
      }
      let status = 200;
      for (const line of head.subarray(0, end).toString().split('\r\n')) {
        const [name, ...rest] = line.split(':');
        const value = rest.join(':').trim();
        if (name.toLowerCase() === 'status') {
          status = Number(value.split(' ')[0]);
        } else {
          res.setHeader(name, value);
        }
      }
      res.statusCode = status;
      headersSent = true;
      res.write(head.subarray(end + 4));
    });
    cgi.on('close', () => res.end());
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    createRepo(name) {
      const dir = path.join(root, `${name}.git`);
      fs.mkdirSync(path.dirname(dir), { recursive: true });
      gitSync(['init', '--quiet', '--bare', '--initial-branch=main', dir]);
      gitSync(['config', 'http.receivepack', 'true'], dir);
      return { url: `${url}/${name}.git`, dir };
    },
    close: () =>
      new Promise<void>(resolve => {
        server.close(() => resolve());
        fs.rmSync(root, { recursive: true, force: true });
      }),
  };
}
