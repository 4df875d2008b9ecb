#!/usr/bin/env node
/** The `bihuan` command. Thin: parse arguments, call the services, print. */
import { pathToFileURL } from 'node:url';
import { chooseLogFormat } from '../runtime/log.js';
import { runCli } from './program.js';

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  // `bihuan incident list | head` closes the pipe early: that is not an error
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  // readable log lines on a terminal, JSON otherwise (the worker threads inherit the choice)
  chooseLogFormat();
  runCli(process.argv.slice(2), { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s), env: process.env }).then(
    (code) => {
      if (code !== 0) process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`bihuan: ${(e as Error)?.stack ?? String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
